/**
 * Preloaded into a CLI child (`node --import <this> main.js …`) by tests that bound its memory:
 * at exit it writes the process's peak RSS in kB (getrusage's ru_maxrss) to
 * $GATED_TEST_RSS_FILE. No change to the CLI itself, and nothing is sampled: the kernel keeps
 * the peak.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.GATED_TEST_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));

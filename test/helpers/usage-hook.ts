/**
 * Preloaded into a CLI child (`node --import <this> main.js …`) by tests that bound what it
 * costs: at exit it writes `{ rssKb, cpuMs }` to $GATED_TEST_USAGE_FILE, the process's peak RSS
 * (getrusage's ru_maxrss) and the CPU time it used (user + system, all threads). CPU time, not
 * wall time, because a loaded machine stretches the second and not the first. No change to the
 * CLI itself, and nothing is sampled: the kernel keeps both.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.GATED_TEST_USAGE_FILE;
if (file)
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    const usage = { rssKb: process.resourceUsage().maxRSS, cpuMs: (user + system) / 1000 };
    writeFileSync(file, JSON.stringify(usage));
  });

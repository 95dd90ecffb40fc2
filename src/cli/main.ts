#!/usr/bin/env node
import { runGated } from './program.js';

process.exitCode = await runGated(process.argv);

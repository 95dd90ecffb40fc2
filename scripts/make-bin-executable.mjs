#!/usr/bin/env node
/* global URL */
// `npm run build` hook: tsc writes files without the executable bit, so after a build the `gated`
// bin link would fail with "Permission denied". Marks every `bin` entry of package.json 0755.
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const file of Object.values(pkg.bin ?? {}))
  chmodSync(new URL(`../${file}`, import.meta.url), 0o755);

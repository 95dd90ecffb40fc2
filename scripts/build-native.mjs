#!/usr/bin/env node
/* global process, console */
// `npm install` hook: builds the native backend (binding.gyp) with npm's bundled node-gyp and the
// Node headers already on the machine. It never fails the install: without a compiler (or on any
// other build error) it prints one line and gated falls back to its reference backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeKernelCodes } from './kernel-codes.mjs';

const prefix = join(dirname(process.execPath), '..');

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function fallback(why) {
  console.log(`gated: native backend not built (${why}); gated will fall back to a slower backend`);
  process.exit(0);
}

if (process.env.GATED_SKIP_NATIVE) fallback('GATED_SKIP_NATIVE is set');
if (process.platform !== 'linux' || process.arch !== 'x64') {
  fallback(`no kernels for ${process.platform}-${process.arch}`);
}
try {
  const constant = (name, value) => `constexpr int ${name} = ${value};`;
  writeKernelCodes('native/codes.h', ['activations', 'cells'], constant, ['#pragma once']);
} catch (err) {
  fallback(`native/codes.h not written: ${err.message}`);
}
const gyp = nodeGyp();
if (!gyp) fallback('node-gyp not found');
const args = [gyp, 'rebuild'];
// Use the installed headers rather than letting node-gyp download them.
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const started = Date.now();
const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
if (r.status !== 0) {
  const lines = `${r.stderr ?? ''}\n${r.error?.message ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /error/i.test(l));
  fallback(lines[0]?.slice(0, 200) ?? `node-gyp exited with ${r.status}`);
}
console.log(`gated: native backend built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

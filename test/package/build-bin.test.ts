/**
 * `npm run build` leaves a working CLI: tsc writes dist/ without executable bits, so the build
 * must mark the bin itself, or the `gated` link fails with "Permission denied" after `npm test`.
 * Runs the real build in a temporary copy of what it reads (node_modules linked, not copied).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'gated-build-'));
after(() => rmSync(copy, { recursive: true, force: true }));

test('after npm run build, the package bin runs (gated --help)', () => {
  // What the build reads; test/ and bench/ are left out (tsc includes them only when present).
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'asconfig.json',
    'src',
    'scripts',
    'assembly',
  ])
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  mkdirSync(join(copy, 'web'));
  for (const file of ['build.mjs', 'app.js', 'index.html'])
    cpSync(join(ROOT, 'web', file), join(copy, 'web', file));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');

  const build = spawnSync('npm', ['run', 'build'], { cwd: copy, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);

  const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const bin = join(copy, pkg.bin.gated);
  assert.equal(statSync(bin).mode & 0o111, 0o111, `${pkg.bin.gated} is executable`);
  // Run the file itself, as the bin link does: its shebang and mode decide, not `node FILE`.
  const help = spawnSync(bin, ['--help'], { cwd: copy, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: gated /);
  assert.match(help.stdout, /\btrain\b/);
});

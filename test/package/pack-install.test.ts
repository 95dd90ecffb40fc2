/**
 * `npm pack` makes a tarball that installs in a clean project with no network and no npm cache
 * (its runtime dependencies are bundled), and both the `gated` bin and the library work there.
 * The native build is skipped (GATED_SKIP_NATIVE) to keep this fast: gated then runs on wasm,
 * and `gated info --backend native` must say the addon is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'gated-pack-'));
const app = join(work, 'app');
after(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  // stdin closed: nothing may wait for input.
  const stdio: SpawnSyncOptions['stdio'] = ['ignore', 'pipe', 'pipe'];
  const r = spawnSync(command, args, { cwd: app, encoding: 'utf8', stdio, ...options });
  return { code: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * `npm install` of the tarball, killed after 200 s and tried once more if so: npm 11 once sat
 * idle after "fetch manifest gated@file:…" in a CI run (the same install took 15 s by hand).
 */
function installTarball(tarball: string, env: NodeJS.ProcessEnv) {
  const args = ['install', tarball, '--offline', '--no-audit', '--no-fund'];
  const attempt = () => run('npm', args, { env, timeout: 200_000 });
  const first = attempt();
  if (first.signal === null) return first;
  process.stderr.write(`npm install was killed (${first.signal}) after 200 s; trying again\n`);
  return attempt();
}

before(() => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  // dist/ is already built (the tests run from it), so pack without running `prepare` again.
  const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
  assert.equal(pack.code, 0, pack.stderr);
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    '{ "name": "app", "private": true, "type": "module" }\n',
  );
  // An empty npm cache and --offline: nothing may come from a registry.
  const env = { ...process.env, GATED_SKIP_NATIVE: '1', npm_config_cache: join(work, 'cache') };
  const tarball = `../gated-${version}.tgz`;
  const install = installTarball(tarball, env);
  assert.equal(install.code, 0, install.stderr);
});

test('the installed bin runs: --help, and info says what runs', () => {
  const help = run(join(app, 'node_modules/.bin/gated'), ['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: gated /);
  const info = run(join(app, 'node_modules/.bin/gated'), ['info']);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^backend: wasm\n/);
  const native = run(join(app, 'node_modules/.bin/gated'), ['info', '--backend', 'native']);
  assert.equal(native.code, 1);
  assert.match(native.stderr, /^gated: --backend native: the native backend cannot load \(.*\)\n$/);
});

test('the installed library imports as "gated", trains, saves and loads a model', () => {
  const script = `
import { Sequential, layers, Tensor, loadModel } from 'gated';
const model = new Sequential({ seed: 1 });
model.add(new layers.Embedding({ inputDim: 6, outputDim: 3 }));
model.add(new layers.GRU({ units: 2 }));
model.add(new layers.Dense({ units: 1, activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
const x = new Tensor(Float32Array.from({ length: 32 }, (_, i) => 1 + (i % 5)), [8, 4]);
const y = new Tensor(Float32Array.from({ length: 8 }, (_, i) => i % 2), [8, 1]);
const history = await model.fit(x, y, { epochs: 2, batchSize: 4 });
await model.save('saved');
const { model: loaded } = await loadModel('saved');
console.log(JSON.stringify({ losses: history.history.loss.length, p: loaded.predict(x).data[0] }));
`;
  writeFileSync(join(app, 'use.mjs'), script);
  const r = run(process.execPath, ['use.mjs']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { losses: number; p: number };
  assert.equal(out.losses, 2);
  assert.ok(out.p > 0 && out.p < 1, String(out.p));
});

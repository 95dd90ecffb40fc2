/**
 * Thread counts and backend environment variables: one rule for native and wasm (clamp to the
 * cores and to what the backend runs, with a notice; a clear error for anything but a positive
 * integer), and wrong settings are errors, never a silent fallback to a slower backend.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadNativeAddon } from '../../src/backend/native/index.js';
import { BackendSettingsError, resolveThreads } from '../../src/backend/settings.js';
import { CTRL, MAX_THREADS } from '../../src/backend/wasm/codes.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import { wasmSettings } from '../../src/backend/wasm/options.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const cores = availableParallelism();

describe('resolveThreads', () => {
  const limits = { cores: 8, max: 56, backend: 'wasm' };
  const resolve = (requested: number | string | undefined, over = {}) => {
    const notices: string[] = [];
    const n = resolveThreads(requested, 'GATED_THREADS', { ...limits, ...over }, (m) =>
      notices.push(m),
    );
    return { n, notices };
  };

  test('unset: every core, within what the backend runs, silently', () => {
    assert.deepEqual(resolve(undefined), { n: 8, notices: [] });
    assert.deepEqual(resolve(''), { n: 8, notices: [] });
    assert.deepEqual(resolve(undefined, { cores: 96 }), { n: 56, notices: [] });
  });

  test('a count within the limits is kept, from a number or a string', () => {
    assert.deepEqual(resolve(3), { n: 3, notices: [] });
    assert.deepEqual(resolve('8'), { n: 8, notices: [] });
  });

  test('above the cores or the backend: clamped with one notice saying why', () => {
    assert.deepEqual(resolve(999), {
      n: 8,
      notices: ['GATED_THREADS 999: this machine has 8 cores; using 8'],
    });
    assert.deepEqual(resolve('57', { cores: 96 }), {
      n: 56,
      notices: ['GATED_THREADS 57: the wasm backend runs at most 56 threads; using 56'],
    });
  });

  test('oversubscribe: an explicit count may exceed the cores, never the backend', () => {
    assert.deepEqual(resolve(12, { oversubscribe: true }), { n: 12, notices: [] });
    assert.deepEqual(resolve(undefined, { oversubscribe: true }), { n: 8, notices: [] });
    assert.deepEqual(resolve(999, { oversubscribe: true }), {
      n: 56,
      notices: ['GATED_THREADS 999: the wasm backend runs at most 56 threads; using 56'],
    });
  });

  test('anything but a positive integer is an error naming the source', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, '0', '-2', '1.5', 'four', '4x', ' ', '1e3']) {
      assert.throws(
        () => resolve(bad),
        (err: Error) =>
          err instanceof BackendSettingsError &&
          /^GATED_THREADS must be a positive integer, got '.*'$/.test(err.message),
        String(bad),
      );
    }
  });
});

describe('wasm settings', () => {
  test('the control block has a ready flag for every helper of MAX_THREADS', () => {
    // 57 threads indexed past the block: RangeError: Invalid atomic access index.
    assert.ok(CTRL.ready + (MAX_THREADS - 1) < CTRL.size);
    assert.equal(wasmSettings({ threads: 57 }, {}, 64, () => {}).threads, MAX_THREADS);
    assert.equal(wasmSettings({}, {}, 64, () => {}).threads, MAX_THREADS);
  });

  test('oversubscribed, the pool runs every thread asked for', () => {
    const backend = createWasmBackend({ threads: cores + 1, oversubscribe: true, quiet: true });
    try {
      assert.equal(backend.threads, cores + 1);
      assert.equal(backend.waitForThreads(), cores + 1);
    } finally {
      backend.close();
    }
  });

  test('GATED_WASM_SIMD must name a build; the option wins over the environment', () => {
    const env = { GATED_WASM_SIMD: 'bogus' };
    assert.throws(
      () => wasmSettings({}, env, 2, () => {}),
      /GATED_WASM_SIMD must be one of auto, relaxed, plain, got 'bogus'/,
    );
    assert.equal(wasmSettings({ simd: 'plain' }, env, 2, () => {}).simd, 'plain');
    assert.equal(wasmSettings({}, { GATED_WASM_SIMD: 'relaxed' }, 2, () => {}).simd, 'relaxed');
    assert.equal(wasmSettings({}, {}, 2, () => {}).simd, 'auto');
  });
});

/** `gated info` with these environment variables (the CLI prints errors as one line). */
function info(vars: Record<string, string>, args: string[] = []) {
  const env = { ...process.env, ...vars };
  const r = spawnSync(process.execPath, [CLI, 'info', ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const backends = loadNativeAddon().addon === null ? ['wasm'] : ['wasm', 'native'];
for (const backend of backends) {
  describe(`gated info on ${backend}`, () => {
    test('GATED_THREADS=0 is an error, not a fallback to another backend', () => {
      const r = info({ GATED_BACKEND: backend, GATED_THREADS: '0' });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^(gated|error): GATED_THREADS must be a positive integer, got '0'\n$/,
      );
      assert.equal(r.stdout, '');
    });

    test('999 threads run on the cores there are, with a notice', () => {
      const r = info({ GATED_BACKEND: backend, GATED_THREADS: '999' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`backend: ${backend}\\nkernels: .*\\nthreads: ${cores}\\n`),
      );
      assert.match(r.stderr, new RegExp(`^gated: GATED_THREADS 999: .*; using ${cores}\\n$`));
      const flag = info({ GATED_BACKEND: backend }, ['--threads', '999']);
      assert.match(flag.stdout, new RegExp(`threads: ${cores}\\n`));
      assert.match(flag.stderr, new RegExp(`^gated: threads 999: .*; using ${cores}\\n$`));
    });
  });
}

test('GATED_WASM_SIMD=bogus is an error naming the variable', () => {
  const r = info({ GATED_BACKEND: 'wasm', GATED_WASM_SIMD: 'bogus' });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^(gated|error): GATED_WASM_SIMD must be one of auto, relaxed, plain, got 'bogus'\n$/,
  );
});

test('GATED_NATIVE_ISA=sse9 is an error naming the variable', { skip: backends.length < 2 }, () => {
  const r = info({ GATED_BACKEND: 'native', GATED_NATIVE_ISA: 'sse9' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^(gated|error): GATED_NATIVE_ISA: unknown kernel variant 'sse9'/);
});

/** The bench's ratios: gated vs Keras/TF at Keras's best thread setting, per encoder too. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  architectureTiming,
  ratios,
  type ConfigResult,
  type Framework,
} from '../../bench/results.js';

const ms = (median: number) => ({ n: 1, median, min: median, max: median });
const calm = { seconds: 1, otherCores: 0, stealCores: 0 };

/** A configuration whose epoch takes `seconds` (all of it in the train batches). */
function config(
  framework: Framework,
  threads: number,
  seconds: number,
  encoders: Record<string, number> = {},
): ConfigResult {
  const label = `${framework} ${threads}T`;
  return {
    label,
    framework,
    backend: framework,
    threads,
    details: {},
    gemm: null,
    trainMs: ms((seconds * 1000) / 313),
    valMs: ms(0),
    predictMs: ms(1),
    epochSeconds: seconds,
    valEpochSeconds: 0,
    peakRssMiB: 1,
    lastLoss: 0.69,
    cpuSeconds: 1,
    contention: calm,
    architectures: Object.entries(encoders).map(([name, s]) =>
      architectureTiming(name, ms((s * 1000) / 313), ms(0), calm),
    ),
  };
}

test('gated is compared with the fastest Keras configuration, per encoder', () => {
  const configs = [
    config('gated', 2, 5, { gru: 4, cnn: 3 }),
    // Keras: 2 threads is faster for the LSTM, 1 thread for the GRU; no CNN timed.
    config('keras', 1, 40, { gru: 16 }),
    config('keras', 2, 20, { gru: 32 }),
  ];
  const got = Object.fromEntries(ratios(configs).map((r) => [r.what, r.value]));
  assert.ok(Math.abs(got['gated 2T vs Keras/TF best (keras 2T)'] - 4) < 1e-9);
  assert.ok(Math.abs(got['gated 2T gru vs Keras/TF best (keras 1T gru)'] - 4) < 1e-9);
  assert.ok(Math.abs(got['keras 2T vs 1 thread'] - 2) < 1e-9);
  assert.equal(Object.keys(got).filter((k) => k.includes('cnn')).length, 0);
});

test('a run without Keras has no Keras ratios (older reports read the same)', () => {
  const got = ratios([config('gated', 1, 10), config('gated', 2, 5)]).map((r) => r.what);
  assert.deepEqual(got, ['gated 2T vs 1 thread']);
});

/** The bench's op-by-op profile of a training batch: the recorder, its grouping and its table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { batchShares, OpRecorder } from '../../bench/batch-profile.js';
import { renderReport } from '../../bench/report.js';
import type { BenchResult, ConfigResult } from '../../bench/results.js';

/** Spins for about `ms` milliseconds, so an op takes measurable time. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A stand-in backend whose ops use `this` and return values, as real ones do. */
function fakeBackend() {
  const calls: string[] = [];
  const backend = {
    name: 'fake',
    scale: 2,
    gemm(this: { scale: number }, x: number) {
      calls.push('gemm');
      spin(2);
      return x * this.scale;
    },
    adamUpdate() {
      calls.push('adamUpdate');
      spin(1);
    },
    scatterAdd() {
      calls.push('scatterAdd');
      throw new Error('bad ids');
    },
  };
  return { backend: backend as unknown as Backend & typeof backend, calls };
}

test('the recorder times each op while profiling and passes calls through unchanged', () => {
  const { backend, calls } = fakeBackend();
  const recorder = new OpRecorder(backend);
  const proxied = recorder.backend as unknown as typeof backend;
  // Recording off: the call goes through with its `this` and result, and nothing is kept.
  assert.equal(proxied.gemm(3), 6);
  assert.equal(proxied.name, 'fake');
  assert.throws(() => proxied.scatterAdd(), /bad ids/);
  const batch = () => {
    proxied.gemm(1);
    proxied.gemm(1);
    proxied.adamUpdate();
    spin(1);
  };
  const p = recorder.profile(batch, { warmup: 1, minReps: 3, maxReps: 3, budgetSeconds: 0 });
  assert.equal(p.batches, 3);
  assert.deepEqual(Object.keys(p.ops).sort(), ['adamUpdate', 'gemm']);
  // Per batch: two 2 ms GEMMs, one 1 ms update, 1 ms of the caller's own.
  assert.ok(p.ops.gemm >= 4 && p.ops.gemm < p.batchMs, `gemm ${p.ops.gemm} of ${p.batchMs}`);
  assert.ok(p.ops.adamUpdate >= 1 && p.ops.adamUpdate < 3, `adam ${p.ops.adamUpdate}`);
  assert.ok(p.batchMs >= 6, `batch ${p.batchMs}`);
  // 1 + 1 + 4 × 2 + 4 × 1 calls: the warm-up ran unrecorded, the three batches recorded.
  assert.equal(calls.length, 1 + 1 + 4 * 3);
  // A throwing op is still timed, and recording ends with the profile.
  const failing = recorder.profile(() => assert.throws(() => proxied.scatterAdd()), {
    warmup: 0,
    minReps: 1,
    maxReps: 1,
    budgetSeconds: 0,
  });
  assert.deepEqual(Object.keys(failing.ops), ['scatterAdd']);
  proxied.gemm(1);
  assert.deepEqual(Object.keys(failing.ops), ['scatterAdd']);
});

test('a profile splits into the cell-dependent work and the fixed part', () => {
  const s = batchShares({
    batches: 1,
    batchMs: 13,
    ops: {
      sequenceForward: 3,
      sequenceBackward: 2,
      gemm: 4,
      adamUpdate: 1,
      adamUpdateRows: 0.5,
      gather: 0.25,
      scatterAdd: 0.25,
      embeddingBag: 1,
    },
  });
  assert.deepEqual(s, {
    recurrence: 5,
    gemm: 4,
    optimizer: 1.5,
    embeddingRows: 0.5,
    otherOps: 1,
    javascript: 1,
    fixed: 3,
  });
});

const summary = (median: number) => ({ n: 1, median, min: median, max: median });
const calm = { seconds: 1, otherCores: 0, stealCores: 0 };

function result(configs: ConfigResult[]): BenchResult {
  return {
    schema: 1,
    createdAt: '2026-12-03T00:00:00.000Z',
    mode: 'full',
    machine: {
      cpuModel: 'cpu',
      cores: 2,
      simd: [],
      memoryGiB: 1,
      node: 'v20',
      platform: 'linux',
      gitCommit: null,
    },
    loadAverage: { start: [0], end: [0] },
    contention: calm,
    seed: {},
    configs,
    skipped: [],
    ratios: [],
  };
}

function gated(profiled: boolean): ConfigResult {
  const lstm = { batches: 1, batchMs: 10, ops: { sequenceForward: 4, gemm: 4, adamUpdate: 1 } };
  const rnn = { batches: 1, batchMs: 4, ops: { sequenceForward: 1, gemm: 1, adamUpdate: 1 } };
  return {
    label: 'gated native 2T',
    framework: 'gated',
    backend: 'native',
    threads: 2,
    details: {},
    gemm: null,
    trainMs: summary(10),
    valMs: summary(1),
    predictMs: summary(0.2),
    epochSeconds: 3.2,
    valEpochSeconds: 0.1,
    peakRssMiB: 100,
    lastLoss: 0.69,
    cpuSeconds: 1,
    contention: calm,
    architectures: [
      {
        architecture: 'rnn',
        trainMs: summary(4),
        valMs: summary(1),
        epochSeconds: 1.3,
        contention: calm,
        ...(profiled && { profile: rnn }),
      },
    ],
    ...(profiled && { profile: lstm }),
  };
}

test('the report shows each encoder against the LSTM, batch and rest, when profiled', () => {
  const text = renderReport(result([gated(true)]), false);
  // LSTM: fixed 1 (adam) + 1 (JS), rest 8; the SimpleRNN: batch 4, fixed 1 + 1, rest 2.
  assert.match(
    text,
    /gated native 2T lstm +10\.00 +4\.00 +4\.00 +0\.00 +1\.00 +0\.00 +1\.00 +2\.00 +1\.00 \/ 1\.00/,
  );
  assert.match(
    text,
    /gated native 2T rnn +4\.00 +1\.00 +1\.00 +0\.00 +1\.00 +0\.00 +1\.00 +2\.00 +0\.40 \/ 0\.25/,
  );
  // A report from before profiles renders without the table.
  assert.doesNotMatch(renderReport(result([gated(false)]), false), /op by op/);
});

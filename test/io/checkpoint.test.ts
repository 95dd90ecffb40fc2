import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { readCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { ModelFileError } from '../../src/io/model-dir.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GRU } from '../../src/layers/gru.js';
import type { Callback } from '../../src/models/callbacks.js';
import {
  EarlyStopping,
  LearningRateScheduler,
  ReduceLROnPlateau,
} from '../../src/models/callbacks/index.js';
import {
  ResumeStateError,
  Sequential,
  TrainingInterrupted,
  type FitOptions,
} from '../../src/models/sequential.js';
import { Adam } from '../../src/optim/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tempDir } from '../helpers/imdb-fixture.js';

const backend = createReferenceBackend('float32');

function data(): { x: Tensor; y: Tensor } {
  const rng = new Rng(9);
  const n = 40;
  const x = Float32Array.from({ length: n * 5 }, () => 1 + rng.int(9));
  const y = Float32Array.from({ length: n }, (_, i) => (x[i * 5] > 5 ? 1 : 0));
  return { x: new Tensor(x, [n, 5]), y: new Tensor(y, [n, 1]) };
}

/** A GRU with dropout (so the generator matters) and every stateful callback. */
function setup(): { model: Sequential; callbacks: Callback[] } {
  const model = new Sequential({ seed: 4, backend });
  model.add(new Embedding({ inputDim: 10, outputDim: 4 }));
  model.add(new GRU({ units: 4, dropout: 0.2 }));
  model.add(new Dropout({ rate: 0.3 }));
  model.add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binary_crossentropy' });
  model.build([5]);
  const callbacks = [
    new EarlyStopping({ patience: 10, restoreBestWeights: true }),
    new ReduceLROnPlateau({ patience: 1, factor: 0.5 }),
    new LearningRateScheduler((epoch, lr) => (epoch === 2 ? lr * 0.9 : lr)),
  ];
  return { model, callbacks };
}

const FIT: FitOptions = { batchSize: 4, epochs: 5, validationSplit: 0.2 };
const bytesOf = (m: Sequential) =>
  m.weights().map((w) => Buffer.from(w.value.data.buffer).toString('hex'));

test('fit interrupted mid-epoch, saved, restored into a new model and resumed: bit-identical weights and history', async () => {
  const { x, y } = data();
  const straight = setup();
  const history = await straight.model.fit(x, y, { ...FIT, callbacks: straight.callbacks });

  const path = join(await tempDir('gated-ckpt-'), 'checkpoint.safetensors');
  const first = setup();
  const controller = new AbortController();
  let batches = 0;
  const abortInEpoch3: Callback = {
    onBatchEnd: () => void (++batches === 2 * 8 + 3 && controller.abort()),
  };
  const interrupted = await first.model
    .fit(x, y, {
      ...FIT,
      callbacks: [...first.callbacks, abortInEpoch3],
      signal: controller.signal,
    })
    .catch((err: unknown) => err);
  assert.ok(interrupted instanceof TrainingInterrupted);
  assert.equal(interrupted.state.epoch, 2);
  assert.equal(interrupted.state.progress?.step, 3);
  await saveCheckpoint(path, first.model, { note: 'test' }, interrupted.state);

  const second = setup();
  const ckpt = await readCheckpoint(path);
  assert.deepEqual(ckpt.flags, { note: 'test' });
  const resume = restoreCheckpoint(path, second.model, ckpt);
  const resumed = await second.model.fit(x, y, { ...FIT, callbacks: second.callbacks, resume });
  assert.deepEqual(bytesOf(second.model), bytesOf(straight.model));
  assert.equal(second.model.optimizer.learningRate, straight.model.optimizer.learningRate);
  const strip = (h: typeof history) => h.epochs.map(({ seconds: _s, ...rest }) => rest);
  assert.deepEqual(strip(resumed), strip(history));
});

/** A valid checkpoint's bytes, for the corruption cases. */
async function validCheckpoint(): Promise<{ path: string; bytes: Uint8Array }> {
  const { x, y } = data();
  const { model, callbacks } = setup();
  const path = join(await tempDir('gated-ckpt-'), 'checkpoint.safetensors');
  const save: Callback = { onEpochEnd: () => saveCheckpoint(path, model, { units: 4 }) };
  await model.fit(x, y, { ...FIT, epochs: 2, callbacks: [...callbacks, save] });
  return { path, bytes: await readFile(path) };
}

/** The parts of the saved state the cases edit. */
type State = {
  rng: number[];
  fit: { epoch: number; progress: unknown; history: { epochs: Record<string, number>[] } };
  optimizer: { config: { name: string } };
};

/** Rebuilds the file with edited tensors and state. */
function rewrite(
  bytes: Uint8Array,
  edit: (state: State, tensors: Map<string, { shape: number[]; data: Float32Array }>) => void,
  metadata: Record<string, string> = {},
): Uint8Array {
  const decoded = decodeSafetensors(bytes);
  const state = JSON.parse(decoded.metadata.state);
  const tensors = new Map(decoded.tensors);
  edit(state, tensors);
  return encodeSafetensors(
    [...tensors].map(([name, t]) => ({ name, ...t })),
    { ...decoded.metadata, state: JSON.stringify(state), ...metadata },
  );
}

const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
  ['truncated', (b) => b.subarray(0, b.length - 3), /truncated/],
  [
    'another format',
    (b) => rewrite(b, () => {}, { format: 'gated-model' }),
    /format is "gated-model", expected "gated-checkpoint"/,
  ],
  [
    'a newer version',
    (b) => rewrite(b, () => {}, { version: '2' }),
    /version "2" is not supported/,
  ],
  [
    'a state that is not JSON',
    (b) => rewrite(b, () => {}, { state: '{' }),
    /__metadata__\.state is not valid JSON/,
  ],
  [
    'a bad generator state',
    (b) => rewrite(b, (s) => (s.rng = [1, 2, 3])),
    /rng must be four unsigned 32-bit integers/,
  ],
  [
    'an epoch count that disagrees with the history',
    (b) => rewrite(b, (s) => (s.fit.epoch = 5)),
    /history has 2 epochs, state\.fit\.epoch says 5/,
  ],
  [
    'an epoch order that is not a permutation',
    (b) =>
      rewrite(b, (s) => {
        s.fit.progress = { order: [0, 0, 1], step: 1, totals: { loss: 1 }, seen: 4, seconds: 1 };
      }),
    /order must be a permutation/,
  ],
  [
    'a missing optimizer slot',
    (b) => rewrite(b, (_, t) => t.delete('optimizer/dense/bias/1')),
    /missing tensor optimizer\/dense\/bias\/1/,
  ],
  [
    'every optimizer slot removed (Adam would silently restart its moments)',
    (b) =>
      rewrite(b, (_, t) => {
        for (const name of [...t.keys()]) if (name.startsWith('optimizer/')) t.delete(name);
      }),
    /missing tensor optimizer\/embedding\/embeddings\/0/,
  ],
  [
    'an all-zero generator state',
    (b) => rewrite(b, (s) => (s.rng = [0, 0, 0, 0])),
    /state\.rng is all zeros/,
  ],
  [
    'a metric name the model does not log (it would become a CSV column)',
    (b) => rewrite(b, (s) => (s.fit.history.epochs[0]['loss\n$(reboot)'] = 1)),
    /metric "loss\\n\$\(reboot\)" is not one this model logs/,
  ],
  [
    'a missing weight',
    (b) => rewrite(b, (_, t) => t.delete('model/gru/kernel')),
    /missing tensor model\/gru\/kernel/,
  ],
  [
    'a NaN in an optimizer slot',
    (b) => rewrite(b, (_, t) => (t.get('optimizer/gru/kernel/1')!.data[3] = NaN)),
    /tensor optimizer\/gru\/kernel\/1 holds NaN or infinite values/,
  ],
  [
    'a weight of the wrong shape',
    (b) =>
      rewrite(b, (_, t) => {
        const e = t.get('model/embedding/embeddings')!;
        t.set('model/embedding/embeddings', { shape: [4, 10], data: e.data });
      }),
    /tensor model\/embedding\/embeddings has shape \[4, 10\], the model needs \[10, 4\]/,
  ],
  [
    'another optimizer',
    (b) => rewrite(b, (s) => (s.optimizer.config.name = 'sgd')),
    /optimizer is sgd, the model's is adam/,
  ],
];

for (const [what, corrupt, message] of cases) {
  test(`a checkpoint with ${what} is one clear ModelFileError`, async () => {
    const { path, bytes } = await validCheckpoint();
    await writeFile(path, corrupt(bytes));
    await assert.rejects(
      (async () => restoreCheckpoint(path, setup().model, await readCheckpoint(path)))(),
      (err: Error) => {
        assert.ok(err instanceof ModelFileError, `${err.constructor.name}: ${err.message}`);
        assert.ok(err.message.startsWith(`${path}: `), err.message);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}

test('a saved position past the end of its epoch is refused before training, not skipped', async () => {
  const { x, y } = data();
  const { path, bytes } = await validCheckpoint();
  await writeFile(
    path,
    rewrite(bytes, (s) => {
      s.fit.progress = { order: null, step: 99, totals: { loss: 1 }, seen: 4, seconds: 1 };
    }),
  );
  const { model, callbacks } = setup();
  const resume = restoreCheckpoint(path, model, await readCheckpoint(path));
  await assert.rejects(
    model.fit(x, y, { ...FIT, callbacks, resume }),
    (err: Error) =>
      err instanceof ResumeStateError &&
      /progress\.step 99 is past the epoch's 8 batches/.test(err.message),
  );
});

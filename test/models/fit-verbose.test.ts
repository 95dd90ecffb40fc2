/** fit's Keras-style `verbose` and the `history.history` view of what it returns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';

const backend = createReferenceBackend('float32');

function tiny(): { model: Sequential; x: Tensor; y: Tensor } {
  const model = new Sequential({ seed: 5, backend });
  model.add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const x = new Tensor(
    Float32Array.from({ length: 24 }, (_, i) => (i % 5) - 2),
    [12, 2],
  );
  const y = new Tensor(
    Float32Array.from({ length: 12 }, (_, i) => i % 2),
    [12, 1],
  );
  return { model, x, y };
}

/** Runs fit with process.stdout captured (and its isTTY set as asked). */
async function captured(verbose: 0 | 1 | 2, isTTY: boolean): Promise<string> {
  const { model, x, y } = tiny();
  const stdout = process.stdout;
  const [write, tty] = [stdout.write, stdout.isTTY];
  let out = '';
  // Strings are fit's progress; the test runner's own reports (buffers) pass through.
  stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write.call(stdout, chunk, ...rest);
    out += chunk;
    return true;
  }) as typeof stdout.write;
  stdout.isTTY = isTTY;
  try {
    await model.fit(x, y, { epochs: 2, batchSize: 4, validationSplit: 0.25, verbose });
  } finally {
    [stdout.write, stdout.isTTY] = [write, tty];
  }
  return out;
}

test('verbose 0 (the default) prints nothing', async () => {
  assert.equal(await captured(0, true), '');
});

test('verbose 2 prints one line per epoch, even on a terminal', async () => {
  const out = await captured(2, true);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 4, out);
  assert.equal(lines[0], 'Epoch 1/2');
  assert.match(
    lines[1],
    /^3\/3 - \d+s - \d+(ms|us)\/step - accuracy: [\d.]+ - loss: [\d.]+ - val_accuracy: /,
  );
  assert.doesNotMatch(out, /\r|━/);
});

test('verbose 1 draws the bar on a terminal, and one line per epoch elsewhere', async () => {
  const bar = await captured(1, true);
  assert.match(bar, /\r.*3\/3 .*━/);
  const piped = await captured(1, false);
  assert.doesNotMatch(piped, /\r|━/);
  assert.match(piped, /^Epoch 1\/2\n3\/3 - .* - val_loss: [\d.]+\nEpoch 2\/2\n/);
});

test('a verbose other than 0, 1 or 2 is an error', async () => {
  const { model, x, y } = tiny();
  await assert.rejects(model.fit(x, y, { verbose: 3 as 1 }), /verbose must be 0, 1 or 2, got 3/);
});

test('history.history holds each metric per epoch, as in Keras; JSON keeps the epochs', async () => {
  const { model, x, y } = tiny();
  const history = await model.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.25 });
  assert.deepEqual(Object.keys(history.history).sort(), [
    'accuracy',
    'loss',
    'val_accuracy',
    'val_loss',
  ]);
  assert.deepEqual(
    history.history.loss,
    history.epochs.map((e) => e.loss),
  );
  assert.equal(history.history.val_loss.length, 3);
  assert.deepEqual(history.epoch, [0, 1, 2]);
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(history)) as object), ['epochs']);
});

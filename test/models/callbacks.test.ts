import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { Dense } from '../../src/layers/dense.js';
import { CallbackList, type Callback } from '../../src/models/callbacks.js';
import {
  CSVLogger,
  EarlyStopping,
  LearningRateScheduler,
  ModelCheckpoint,
  ReduceLROnPlateau,
} from '../../src/models/callbacks/index.js';
import { formatPath } from '../../src/models/callbacks/model-checkpoint.js';
import { Sequential } from '../../src/models/sequential.js';
import { SGD } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tempDir } from '../helpers/imdb-fixture.js';

function model(lr = 1): Sequential {
  const m = new Sequential({ backend: createReferenceBackend('float32') });
  m.add(new Dense({ units: 1 }));
  m.compile({ optimizer: new SGD({ learningRate: lr }), loss: 'mean_squared_error' });
  return m.build([2]);
}

/** Runs the epoch hooks of `cb` over val_loss values; returns the epoch it stopped at, or -1. */
async function watch(
  cb: Callback,
  m: Sequential,
  values: number[],
  key = 'val_loss',
): Promise<number> {
  cb.setModel?.(m);
  await cb.onTrainBegin?.({
    epochs: values.length,
    initialEpoch: 0,
    stepsPerEpoch: 1,
    samples: 1,
    validationSamples: 1,
  });
  for (const [epoch, v] of values.entries()) {
    await cb.onEpochBegin?.(epoch);
    await cb.onEpochEnd?.(epoch, { loss: 1, [key]: v });
    if (m.stopTraining) return epoch;
  }
  return -1;
}

test('EarlyStopping waits `patience` epochs without improvement, as Keras', async () => {
  assert.equal(
    await watch(new EarlyStopping({ patience: 2 }), model(), [1, 0.9, 0.95, 0.96, 0.97]),
    3,
  );
  assert.equal(await watch(new EarlyStopping({ patience: 0 }), model(), [1, 0.9, 0.95]), 2);
  assert.equal(await watch(new EarlyStopping({ patience: 2 }), model(), [1, 0.9, 0.8, 0.7]), -1);
  // minDelta: 0.995 does not beat 1 by more than 0.01.
  assert.equal(
    await watch(new EarlyStopping({ patience: 1, minDelta: 0.01 }), model(), [1, 0.995]),
    1,
  );
  // 'auto' maximises accuracy.
  const acc = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
  assert.equal(acc.mode, 'max');
  assert.equal(await watch(acc, model(), [0.5, 0.6, 0.55], 'val_accuracy'), 2);
  // Patience restarts only on values that also beat the baseline.
  assert.equal(
    await watch(new EarlyStopping({ patience: 2, baseline: 0.5 }), model(), [0.8, 0.8, 0.8]),
    1,
  );
});

test('EarlyStopping restoreBestWeights puts back the weights of the best epoch at the end', () => {
  const m = model();
  const es = new EarlyStopping({ patience: 1, restoreBestWeights: true });
  es.setModel(m);
  es.onTrainBegin();
  const kernel = m.weights()[0].value.data;
  for (const [epoch, v] of [0.5, 0.3, 0.4].entries()) {
    kernel.fill(epoch + 1);
    es.onEpochEnd(epoch, { val_loss: v });
  }
  assert.ok(m.stopTraining);
  assert.equal(es.bestEpoch, 1);
  es.onTrainEnd();
  assert.deepEqual([...kernel], [2, 2]);
});

test('a monitored value missing from the logs is an error naming it, not a silent no-op', async () => {
  await assert.rejects(
    watch(new EarlyStopping(), model(), [1], 'loss_only'),
    /EarlyStopping: 'val_loss' is not in the epoch logs \(loss, loss_only\): give fit a validationSplit/,
  );
});

test('ReduceLROnPlateau multiplies the rate by factor after patience, honours cooldown and minLr', () => {
  const m = model(1);
  const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 1, minLr: 0.2 });
  const rates: number[] = [];
  cb.setModel(m);
  cb.onTrainBegin();
  for (let epoch = 0; epoch < 6; epoch++) {
    cb.onEpochEnd(epoch, { val_loss: 1 });
    rates.push(m.optimizer.learningRate);
  }
  assert.deepEqual(rates, [1, 0.5, 0.25, 0.2, 0.2, 0.2]);
  assert.throws(() => new ReduceLROnPlateau({ factor: 1 }), /factor must be in \(0, 1\)/);
});

test('LearningRateScheduler sets each epoch rate once, even when a resumed epoch begins again', () => {
  const m = model(0.1);
  const cb = new LearningRateScheduler((epoch, lr) => (epoch < 2 ? lr : lr / 2));
  cb.setModel(m);
  cb.onEpochBegin(0);
  cb.onEpochBegin(2);
  const saved = cb.getState();
  assert.equal(m.optimizer.learningRate, 0.05);
  const again = new LearningRateScheduler(cb.schedule);
  again.setModel(m);
  again.setState(saved);
  again.onEpochBegin(2);
  assert.equal(m.optimizer.learningRate, 0.05, 'not halved twice');
  assert.throws(
    () => new LearningRateScheduler((_e, _lr) => -1).onEpochBegin(0),
    /LearningRateScheduler: no model; fit calls setModel/,
  );
});

test('CSVLogger writes Keras columns (epoch from 0, then sorted keys), rewritten whole each epoch', async () => {
  const m = model();
  const x = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [4, 2]);
  const y = new Tensor(Float32Array.from([1, 0, 1, 0]), [4, 1]);
  m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const file = join(await tempDir('gated-csv-'), 'log.csv');
  await m.fit(x, y, {
    epochs: 3,
    batchSize: 2,
    validationSplit: 0.5,
    callbacks: [new CSVLogger(file)],
  });
  const rows = (await readFile(file, 'utf8')).trim().split('\n');
  assert.equal(rows[0], 'epoch,accuracy,loss,val_accuracy,val_loss');
  assert.deepEqual(
    rows.slice(1).map((r) => r.split(',')[0]),
    ['0', '1', '2'],
  );
  assert.equal(Number(rows[3].split(',')[2]), m.history.epochs[2].loss);
});

test('CSVLogger quotes fields per RFC 4180: a hostile column name stays one field of one row', async () => {
  const file = join(await tempDir('gated-csv-'), 'log.csv');
  const logger = new CSVLogger(file);
  const hostile = 'x",y\nrm -rf ~\r';
  logger.setModel({ history: { epochs: [{ epoch: 1, loss: 0.5, [hostile]: 1 }] } } as never);
  await logger.onEpochEnd();
  assert.equal(await readFile(file, 'utf8'), 'epoch,loss,"x"",y\nrm -rf ~\r"\n0,0.5,1\n');
});

test('ModelCheckpoint saves every epoch, or only better ones; its path names epoch and logs', async () => {
  assert.equal(
    formatPath('ck-{epoch:02d}-{val_loss:.2f}', { epoch: 3, val_loss: 0.1234 }),
    'ck-03-0.12',
  );
  assert.equal(formatPath('plain/{epoch}', { epoch: 12 }), 'plain/12');
  assert.throws(() => formatPath('{nope}', { epoch: 1 }), /\{nope\} names no log value/);
  const dir = await tempDir('gated-mc-');
  const m = model();
  const best = new ModelCheckpoint({ filepath: join(dir, 'e{epoch}'), saveBestOnly: true });
  await watch(best, m, [0.5, 0.6, 0.4]);
  await access(join(dir, 'e1', 'model.json'));
  await access(join(dir, 'e3', 'weights.safetensors'));
  await assert.rejects(access(join(dir, 'e2')), /ENOENT/);
  assert.equal(best.best, 0.4);
});

test('two callbacks with one state key are refused', () => {
  assert.throws(
    () => new CallbackList([new EarlyStopping(), new EarlyStopping()]),
    /share the state key 'early_stopping'/,
  );
});

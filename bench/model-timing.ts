import type { Backend } from '../src/backend/backend.js';
import { buildSentimentModel, type Architecture } from '../src/experiments/architectures.js';
import { Rng } from '../src/random/rng.js';
import { Tensor } from '../src/tensor/tensor.js';
import { OpRecorder, type BatchProfile } from './batch-profile.js';
import { summarize, timeCalls, type Plan, type Summary } from './stats.js';

/** The seed configuration: Embedding(10000, 128) → LSTM(64) → Dense(1, sigmoid), batch 64 × 200. */
export const SEED = { numWords: 10000, maxlen: 200, embeddingDim: 128, units: 64, batch: 64 };
/** 25,000 IMDB training reviews with validationSplit 0.2: 20,000 → 313 batches, 5,000 → 79. */
export const EPOCH = { trainBatches: 313, valBatches: 79 };

export interface ModelTimings {
  readonly trainMs: Summary;
  readonly valMs: Summary;
  /** predict() of one 200-token review. */
  readonly predictMs: Summary;
  /** Loss of the last timed training batch: a NaN here means the numbers are not of real work. */
  readonly lastLoss: number;
  /** Training batches timed op by op after the rest. */
  readonly profile: BatchProfile;
}

/** Synthetic batch: tokens uniform in [1, numWords), labels uniform in {0, 1}. */
function syntheticBatch(backend: Backend, rng: Rng, rows: number): [Tensor, Tensor] {
  const { numWords, maxlen } = SEED;
  const x = backend.alloc(rows * maxlen);
  for (let i = 0; i < x.length; i++) x[i] = 1 + rng.int(numWords - 1);
  const y = backend.alloc(rows);
  for (let i = 0; i < rows; i++) y[i] = rng.int(2);
  return [new Tensor(x, [rows, maxlen]), new Tensor(y, [rows, 1])];
}

export interface ModelPlans {
  readonly train: Plan;
  readonly val: Plan;
  readonly predict: Plan;
  readonly profile: Plan;
}

/**
 * Times train steps (forward + backward + Adam on one batch, as fit runs them), validation
 * batches (evaluate on one batch, as fit's validation pass) and single-review predictions of the
 * seed configuration with `architecture` as the encoder (the CNN: 128 filters of width 5), on
 * `data` (default: 4 synthetic batches, cycled), then profiles training batches op by op (the
 * model's backend is an OpRecorder's proxy, idle while timing). Building the batch tensors is not
 * timed.
 */
export function benchModel(
  backend: Backend,
  plans: ModelPlans,
  architecture: Architecture = 'lstm',
  data?: readonly [Tensor, Tensor][],
): ModelTimings {
  const rng = new Rng(2024);
  const recorder = new OpRecorder(backend);
  const model = buildSentimentModel({ architecture, ...SEED, seed: 1, backend: recorder.backend });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const batches = data ?? Array.from({ length: 4 }, () => syntheticBatch(backend, rng, SEED.batch));
  let i = 0;
  let lastLoss = NaN;
  const train = () => {
    const [x, y] = batches[i++ % batches.length];
    lastLoss = model.trainOnBatch(x, y).loss;
  };
  const trainMs = summarize(timeCalls(train, plans.train));
  const valMs = summarize(
    timeCalls(() => {
      const [x, y] = batches[i++ % batches.length];
      model.evaluate(x, y, { batchSize: SEED.batch });
    }, plans.val),
  );
  const [review] = syntheticBatch(backend, rng, 1);
  const predictMs = summarize(
    timeCalls(() => model.predict(review, { batchSize: 1 }), plans.predict),
  );
  const timedLoss = lastLoss;
  const profile = recorder.profile(train, plans.profile);
  return { trainMs, valMs, predictMs, lastLoss: timedLoss, profile };
}

import { Command } from 'commander';
import { writeGradientFiles } from '../../experiments/gradients-report.js';
import { runGradientStudy } from '../../experiments/gradients-study.js';
import { OPTIMIZER_NAMES } from '../../optim/index.js';
import { oneOf, positiveInt, positiveNumber } from '../parsers.js';
import {
  addRunOptions,
  backendFromOptions,
  DATA_OPTIONS,
  givenDataOptions,
  timestamp,
} from '../run-options.js';
import { terminal } from '../terminal.js';

export function gradientsCommand(): Command {
  const gradients = new Command('gradients').description(
    'vanishing and exploding gradients: ‖∂L/∂h_t‖ per step for SimpleRNN, LSTM and GRU, at initialisation and after a short training',
  );
  addRunOptions(gradients, [
    'numWords',
    'maxlen',
    'embeddingDim',
    'units',
    'optimizer',
    'lr',
    'batchSize',
    'seed',
    ...DATA_OPTIONS,
  ]);
  gradients
    .option(
      '--samples <n>',
      'test reviews to measure on (of at least maxlen ids: no padding)',
      positiveInt,
      64,
    )
    .option(
      '--train-batches <n>',
      'training batches between the two measurements',
      positiveInt,
      100,
    )
    .option(
      '--recurrent-scale <x>',
      "exploding case: multiply the SimpleRNN's recurrent kernel by x",
      positiveNumber,
      3,
    )
    .option('--clipnorm <n>', 'exploding case: the clipnorm of the clipped run', positiveNumber, 1)
    .option(
      '--explode-optimizer <name>',
      `exploding case: optimizer (${OPTIMIZER_NAMES.join(', ')}); plain SGD shows what clipping does, Adam rescales its steps itself`,
      oneOf(OPTIMIZER_NAMES),
      'sgd',
    )
    .option('--explode-lr <rate>', 'exploding case: learning rate', positiveNumber, 0.01)
    .option(
      '--out <dir>',
      'where gradients.json and gradients.html go (default runs/gradients-<timestamp>)',
    );
  return addRunOptions(gradients, ['backend', 'threads']).action(async (o) => {
    const out = o.out ?? `runs/gradients-${timestamp()}`;
    const study = await runGradientStudy(
      {
        numWords: o.numWords,
        maxlen: o.maxlen,
        embeddingDim: o.embeddingDim,
        units: o.units,
        samples: o.samples,
        trainBatches: o.trainBatches,
        batchSize: o.batchSize,
        optimizer: o.optimizer,
        learningRate: o.lr,
        recurrentScale: o.recurrentScale,
        explodeOptimizer: o.explodeOptimizer,
        explodeLearningRate: o.explodeLr,
        clipnorm: o.clipnorm,
        seed: o.seed,
        ...givenDataOptions(o),
        backend: backendFromOptions(o),
      },
      terminal.log,
    );
    terminal.log(`Wrote ${(await writeGradientFiles(out, study)).join(', ')}`);
  });
}

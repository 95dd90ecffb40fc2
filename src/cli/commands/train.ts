import { Command } from 'commander';
import { BACKEND_NAMES, createBackend } from '../../backend/registry.js';
import { ARCHITECTURES, type Architecture } from '../../experiments/architectures.js';
import { runTraining } from '../../experiments/train-run.js';
import { OPTIMIZER_NAMES } from '../../optim/index.js';
import { fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../parsers.js';
import { terminal } from '../terminal.js';

function timestamp(): string {
  return new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a sentiment model on IMDB (defaults: the reference experiment)')
    .option(
      '--model <name>',
      `architecture: ${ARCHITECTURES.join(', ')}`,
      oneOf(ARCHITECTURES),
      'lstm',
    )
    .option(
      '--num-words <n>',
      'vocabulary size: keep the n most frequent words',
      positiveInt,
      10000,
    )
    .option('--maxlen <n>', 'pad/truncate every review to n tokens', positiveInt, 200)
    .option('--embedding-dim <n>', 'embedding width', positiveInt, 128)
    .option('--units <n>', 'recurrent units', positiveInt, 64)
    .option('--filters <n>', 'Conv1D filters (cnn)', positiveInt, 128)
    .option('--kernel-size <n>', 'Conv1D width (cnn)', positiveInt, 5)
    .option(
      '--optimizer <name>',
      `optimizer: ${OPTIMIZER_NAMES.join(', ')}`,
      oneOf(OPTIMIZER_NAMES),
      'adam',
    )
    .option('--lr <rate>', 'learning rate', positiveNumber, 0.001)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option(
      '--validation-split <f>',
      'fraction of the training reviews held out (the last ones)',
      fraction,
      0.2,
    )
    .option('--epochs <n>', 'epochs', positiveInt, 100)
    .option('--seed <n>', 'seed of every random draw', nonNegativeInt, 1)
    .option(
      '--data <path>',
      'IMDB archive (.tar.gz) or extracted folder (else $GATED_IMDB, the cache, a download)',
    )
    .option('--limit <n>', 'use only n reviews of each split, balanced (quick runs)', positiveInt)
    .option('--out <dir>', 'where the model, vocabulary and history go (default runs/<timestamp>)')
    .option(
      '--backend <name>',
      `compute backend: ${BACKEND_NAMES.join(', ')}`,
      oneOf(BACKEND_NAMES),
    )
    .action(async (o) => {
      await runTraining(
        {
          architecture: o.model as Architecture,
          numWords: o.numWords,
          maxlen: o.maxlen,
          embeddingDim: o.embeddingDim,
          units: o.units,
          filters: o.filters,
          kernelSize: o.kernelSize,
          optimizer: o.optimizer,
          learningRate: o.lr,
          batchSize: o.batchSize,
          validationSplit: o.validationSplit,
          epochs: o.epochs,
          seed: o.seed,
          data: o.data,
          limit: o.limit,
          out: o.out ?? `runs/${timestamp()}`,
          backend: createBackend(o.backend ?? process.env.GATED_BACKEND ?? 'reference'),
        },
        terminal.log,
        terminal.progress,
      );
    });
}

import { Command, Option } from 'commander';
import { BACKEND_NAMES, createBackend } from '../../backend/registry.js';
import { ARCHITECTURES } from '../../experiments/architectures.js';
import { runTraining, type TrainRunOptions } from '../../experiments/train-run.js';
import { OPTIMIZER_NAMES } from '../../optim/index.js';
import { fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../parsers.js';
import { terminal } from '../terminal.js';
import { flagsFromOptions, resumeFlags, shellQuote } from './resume.js';

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
    .option('--clipnorm <n>', "clip each weight's gradient to this L2 norm", positiveNumber)
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
    .addOption(
      new Option(
        '--early-stopping [patience]',
        'stop after this many epochs without a lower val_loss and restore the best weights',
      )
        .argParser(positiveInt)
        .preset('3'),
    )
    .option('--checkpoint', 'keep the model of the lowest val_loss in <out>/best/')
    .option('--csv <file>', 'write one CSV row per epoch (Keras CSVLogger)')
    .option(
      '--resume <dir>',
      'continue the run in dir from its last checkpoint, with its flags (--epochs may extend it)',
    )
    .option(
      '--backend <name>',
      `compute backend: ${BACKEND_NAMES.join(', ')} (default $GATED_BACKEND, else the fastest that loads)`,
      oneOf(BACKEND_NAMES),
    )
    .option(
      '--threads <n>',
      'threads of the native and wasm backends (default $GATED_THREADS, else every core)',
      positiveInt,
    )
    .action(async (o, command: Command) => {
      const resumed = o.resume ? await resumeFlags(o.resume, command) : null;
      if (resumed && o.out !== undefined && o.out !== o.resume)
        throw new Error(
          '--out and --resume name different directories; --resume DIR trains on in DIR',
        );
      const options: TrainRunOptions = {
        ...(resumed ? resumed.flags : flagsFromOptions(o)),
        out: o.resume ?? o.out ?? `runs/${timestamp()}`,
        backend: createBackend(
          o.backend ?? resumed?.backend ?? (process.env.GATED_BACKEND || BACKEND_NAMES[0]),
          { threads: o.threads },
        ),
      };
      if (resumed?.backend && options.backend.name !== resumed.backend) {
        process.stderr.write(
          `gated: resuming on the ${options.backend.name} backend, the run trained on ${resumed.backend}: the numbers will differ from an uninterrupted run\n`,
        );
      }
      if (options.earlyStopping !== undefined && options.validationSplit === 0)
        throw new Error('--early-stopping watches val_loss: it needs --validation-split > 0');
      // Ctrl-C finishes the batch and saves; a second one quits at once.
      const controller = new AbortController();
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort();
        process.stderr.write('\nStopping after this batch (Ctrl-C again to quit now)…\n');
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await runTraining(options, terminal.log, terminal.progress, {
          signal: controller.signal,
          ...(resumed ? { resume: resumed.checkpoint } : {}),
        });
        if (result.interrupted) {
          terminal.log(`Resume with: gated train --resume ${shellQuote(options.out)}`);
          process.exitCode = 130;
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}

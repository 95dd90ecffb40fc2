import { Command, Option } from 'commander';
import { runTraining, type TrainRunOptions } from '../../experiments/train-run.js';
import { withCtrlC } from '../interrupt.js';
import { positiveInt } from '../parsers.js';
import { addRunOptions, backendFromOptions, timestamp, TRAINING_OPTIONS } from '../run-options.js';
import { terminal } from '../terminal.js';
import { flagsFromOptions, resumeFlags, shellQuote } from './resume.js';

export function trainCommand(): Command {
  const train = new Command('train').description(
    'train a text classifier on IMDB (the default: the reference experiment) or on your own labelled texts',
  );
  addRunOptions(train, ['model', ...TRAINING_OPTIONS]);
  train
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
    .option(
      '--csv <file>',
      'write one CSV row per epoch (Keras CSVLogger) to this file in the run directory',
    )
    .option('--overwrite', 'replace a run already in --out (its best/ included)')
    .addOption(
      new Option(
        '--log-every <n>',
        'when stdout is not a terminal, also print a progress line every n batches',
      ).argParser(positiveInt),
    )
    .option(
      '--keep-checkpoint',
      'keep checkpoint.safetensors after the run completes (to extend it later with --resume)',
    )
    .option(
      '--resume <dir>',
      'continue the run in dir from its last checkpoint, with its flags (--epochs may extend it)',
    );
  return addRunOptions(train, ['backend', 'threads']).action(async (o, command: Command) => {
    const resumed = o.resume ? await resumeFlags(o.resume, command) : null;
    if (resumed && o.overwrite) throw new Error('--overwrite and --resume exclude each other');
    if (resumed && o.out !== undefined && o.out !== o.resume)
      throw new Error(
        '--out and --resume name different directories; --resume DIR trains on in DIR',
      );
    const options: TrainRunOptions = {
      ...(resumed ? resumed.flags : flagsFromOptions(o)),
      out: o.resume ?? o.out ?? `runs/${timestamp()}`,
      backend: backendFromOptions(o, resumed?.backend),
    };
    if (resumed?.backend && options.backend.name !== resumed.backend) {
      process.stderr.write(
        `gated: resuming on the ${options.backend.name} backend, the run trained on ${resumed.backend}: the numbers will differ from an uninterrupted run\n`,
      );
    }
    // Checked before the data loads and an epoch trains, not when the first val_loss is missing.
    if (options.validationSplit === 0) {
      if (options.earlyStopping !== undefined)
        throw new Error('--early-stopping watches val_loss: it needs --validation-split > 0');
      if (options.checkpoint)
        throw new Error('--checkpoint keeps the lowest val_loss: it needs --validation-split > 0');
    }
    const result = await withCtrlC((signal) =>
      runTraining(
        options,
        terminal.log,
        { ...terminal.progress, logEvery: o.logEvery },
        {
          signal,
          overwrite: o.overwrite === true,
          ...(resumed ? { resume: resumed.checkpoint } : {}),
        },
      ),
    );
    if (result.interrupted) {
      terminal.log(`Resume with: gated train --resume ${shellQuote(options.out)}`);
      process.exitCode = 130;
    }
  });
}

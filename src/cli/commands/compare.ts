import { Command, Option } from 'commander';
import { ARCHITECTURES, type Architecture } from '../../experiments/architectures.js';
import {
  runComparison,
  COMPARE_HTML,
  COMPARE_JSON,
  COMPARE_MD,
  type CompareOptions,
} from '../../experiments/compare.js';
import { join } from 'node:path';
import { withCtrlC } from '../interrupt.js';
import { listOf, oneOf, positiveInt, positiveNumber } from '../parsers.js';
import { addRunOptions, backendFromOptions, timestamp, TRAINING_OPTIONS } from '../run-options.js';
import { terminal } from '../terminal.js';
import { validateRunFlags } from '../../experiments/run-flags.js';
import { optionFlags, shellQuote } from './resume.js';

/** Every architecture, the simplest cell first. */
const DEFAULT_MODELS: Architecture[] = ['rnn', 'lstm', 'gru', 'cnn', 'bilstm'];

export function compareCommand(): Command {
  const compare = new Command('compare').description(
    'train several architectures on the same data, seed and budget and compare them (by review length too)',
  );
  compare.option(
    '--models <list>',
    `comma-separated architectures (${ARCHITECTURES.join(', ')})`,
    listOf(oneOf(ARCHITECTURES)),
    DEFAULT_MODELS,
  );
  addRunOptions(compare, TRAINING_OPTIONS, { epochs: 10 });
  compare
    .option(
      '--patience <n>',
      'early stopping: epochs without a lower val_loss before stopping (best weights restored)',
      positiveInt,
      2,
    )
    .option(
      '--out <dir>',
      'where compare.json/.md/.html and one run directory per model go (default runs/compare-<timestamp>)',
    )
    .option(
      '--resume',
      'keep the models already finished in --out (same flags) and continue an interrupted one',
    )
    .addOption(
      new Option(
        '--sweep <model>',
        'instead of comparing models, sweep one over units, batch size and learning rate (one factor at a time)',
      ).argParser(oneOf(ARCHITECTURES)),
    )
    .option(
      '--sweep-units <list>',
      'units (filters for cnn) tried by --sweep',
      listOf(positiveInt),
      [32, 64, 128],
    )
    .option(
      '--sweep-batch-size <list>',
      'batch sizes tried by --sweep',
      listOf(positiveInt),
      [32, 64, 128],
    )
    .option(
      '--sweep-lr <list>',
      'learning rates tried by --sweep',
      listOf(positiveNumber),
      [0.0005, 0.001, 0.002],
    );
  return addRunOptions(compare, ['backend', 'threads']).action(async (o) => {
    if (o.resume && o.out === undefined)
      throw new Error('--resume needs --out DIR: the comparison to continue');
    const flags = optionFlags(o);
    // Each model's flags as `gated train` would check them, before anything is trained.
    for (const architecture of o.models as Architecture[])
      validateRunFlags({ ...flags, architecture });
    const options: CompareOptions = {
      ...(flags as Omit<CompareOptions, 'patience' | 'models' | 'resume' | 'out' | 'backend'>),
      patience: o.patience,
      models: [...new Set(o.models as Architecture[])],
      ...(o.sweep
        ? {
            sweep: {
              model: o.sweep,
              units: o.sweepUnits,
              batchSize: o.sweepBatchSize,
              learningRate: o.sweepLr,
            },
          }
        : {}),
      resume: o.resume === true,
      out: o.out ?? `runs/compare-${timestamp()}`,
      backend: backendFromOptions(o),
    };
    const outcome = await withCtrlC((signal) =>
      runComparison(options, terminal.log, terminal.progress, signal),
    );
    if (outcome.interrupted) {
      terminal.log(
        `Interrupted in ${outcome.at}. Resume with the same flags and --resume --out ${shellQuote(options.out)}`,
      );
      process.exitCode = 130;
      return;
    }
    const files = [COMPARE_JSON, COMPARE_MD, COMPARE_HTML].map((f) => join(options.out, f));
    terminal.log(`\n${outcome.result.runs.length} runs compared: ${files.join(', ')}`);
  });
}

/**
 * The `gated` command line as a function: builds the commands afresh, runs `argv` (as
 * process.argv: node, script, args…) and returns the exit status. Errors are one line on stderr,
 * never a stack trace. main.ts runs it once; tests may run many in one process.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FlagError } from '../experiments/run-flags.js';
import { compareCommand } from './commands/compare.js';
import { ensembleCommand } from './commands/ensemble.js';
import { evaluateCommand } from './commands/evaluate.js';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { gradientsCommand } from './commands/gradients.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { reportCommand } from './commands/report.js';
import { flagMessage } from './commands/resume.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export async function runGated(argv: readonly string[]): Promise<number> {
  process.exitCode = undefined;
  const program = new Command('gated')
    .description(
      'Sequence models (LSTM, GRU, SimpleRNN, Conv1D) in TypeScript: IMDB sentiment out of the box',
    )
    .version(pkg.version)
    .exitOverride()
    .addCommand(trainCommand())
    .addCommand(evaluateCommand())
    .addCommand(predictCommand())
    .addCommand(ensembleCommand())
    .addCommand(explainCommand())
    .addCommand(reportCommand())
    .addCommand(serveCommand())
    .addCommand(importCommand())
    .addCommand(exportCommand())
    .addCommand(compareCommand())
    .addCommand(gradientsCommand())
    .addCommand(infoCommand());
  // A usage error is one line, the hint on it (commander's showHelpAfterError adds a second).
  const oneLine = {
    outputError: (text: string, write: (s: string) => void) =>
      write(`${text.trimEnd()} (run with --help for usage)\n`),
  };
  program.configureOutput(oneLine);
  for (const command of program.commands) command.exitOverride().configureOutput(oneLine);

  try {
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its one-line message (or the help / version).
      return err.exitCode;
    }
    if (err instanceof FlagError) {
      process.stderr.write(`gated: ${flagMessage(err)}\n`);
      return 1;
    }
    // Errors from gated itself (bad data, bad model files, …) are one line, not a stack trace.
    process.stderr.write(`gated: ${(err as Error).message}\n`);
    if (process.env.GATED_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

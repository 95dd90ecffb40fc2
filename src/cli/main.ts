#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { compareCommand } from './commands/compare.js';
import { evaluateCommand } from './commands/evaluate.js';
import { gradientsCommand } from './commands/gradients.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { reportCommand } from './commands/report.js';
import { trainCommand } from './commands/train.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('gated')
  .description(
    'Sequence models (LSTM, GRU, SimpleRNN, Conv1D) in TypeScript: IMDB sentiment out of the box',
  )
  .version(pkg.version)
  .exitOverride()
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(predictCommand())
  .addCommand(reportCommand())
  .addCommand(compareCommand())
  .addCommand(gradientsCommand())
  .addCommand(infoCommand());
// Every error is one line: commander's "(Did you mean …?)" joins it, and the hint ends it.
const oneLineErrors = {
  outputError: (message: string, write: (text: string) => void) =>
    write(`${message.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
};
program.configureOutput(oneLineErrors);
for (const command of program.commands) command.exitOverride().configureOutput(oneLineErrors);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has already printed its one-line message (or the help / version).
    process.exitCode = err.exitCode;
  } else {
    // Errors from gated itself (bad data, bad model files, …) are one line, not a stack trace.
    process.stderr.write(`gated: ${(err as Error).message}\n`);
    if (process.env.GATED_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  }
}

import { Command } from 'commander';
import { writeRunReport } from '../../experiments/report-files.js';
import { terminal } from '../terminal.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('(re)write report.html of a run from its history.json and model.json')
    .argument('<dir>', 'a run directory written by `gated train`')
    .action(async (dir: string) => {
      terminal.log(`Wrote ${await writeRunReport(dir)}`);
    });
}

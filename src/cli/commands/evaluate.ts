import { Command } from 'commander';
import { evaluateRun } from '../../experiments/evaluate-run.js';
import { formatClassificationReport } from '../../metrics/classification-report.js';
import { positiveInt } from '../parsers.js';
import { terminal } from '../terminal.js';

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(
      'test loss, accuracy, per-class precision/recall/F1 and the confusion matrix of a saved model',
    )
    .argument('<dir>', 'a run directory written by `gated train`, or an ensemble')
    .option('--data <path>', 'the data to test on (default: the path the run was trained on)')
    .option('--limit <n>', 'evaluate on only n test texts (quick checks)', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--json', 'print the whole evaluation as JSON')
    .action(
      async (
        dir: string,
        o: { data?: string; limit?: number; batchSize: number; json?: boolean },
      ) => {
        const result = await evaluateRun(dir, {
          batchSize: o.batchSize,
          ...(o.limit !== undefined ? { limit: o.limit } : {}),
          ...(o.data !== undefined ? { data: o.data } : {}),
          ...(o.json ? {} : { onProgress: (msg: string) => process.stderr.write(msg + '\n') }),
        });
        if (o.json) {
          terminal.log(
            JSON.stringify({
              ...result.metrics,
              count: result.count,
              source: result.source,
              report: result.report,
            }),
          );
          return;
        }
        const metrics = Object.entries(result.metrics)
          .map(([name, value]) => `Test ${name}: ${value.toFixed(4)}`)
          .join(' - ');
        terminal.log(`${metrics} (${result.count} texts from ${result.source})\n`);
        terminal.log(formatClassificationReport(result.report));
      },
    );
}

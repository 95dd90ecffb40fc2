import { Command } from 'commander';
import { SentimentClassifier } from '../../experiments/sentiment.js';
import { positiveInt } from '../parsers.js';
import { terminal } from '../terminal.js';

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('test loss and accuracy of a saved model on the IMDB test split')
    .argument('<dir>', 'a run directory written by `gated train`')
    .option(
      '--data <path>',
      'IMDB archive (.tar.gz) or extracted folder (else $GATED_IMDB, the cache, a download)',
    )
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--json', 'print {"loss": …, "accuracy": …} as JSON')
    .action(async (dir: string, o: { data?: string; batchSize: number; json?: boolean }) => {
      const classifier = await SentimentClassifier.load(dir);
      const logs = await classifier.evaluateImdb({
        batchSize: o.batchSize,
        ...(o.data !== undefined ? { data: o.data } : {}),
        ...(o.json ? {} : { onProgress: (msg: string) => process.stderr.write(msg + '\n') }),
      });
      if (o.json) terminal.log(JSON.stringify({ loss: logs.loss, accuracy: logs.accuracy }));
      else
        terminal.log(
          `Test loss: ${logs.loss.toFixed(4)} - Test accuracy: ${logs.accuracy.toFixed(4)}`,
        );
    });
}

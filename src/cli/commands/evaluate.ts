import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { SentimentClassifier } from '../../experiments/sentiment.js';
import { MODEL_FILE } from '../../io/model-dir.js';
import { positiveInt } from '../parsers.js';
import { terminal } from '../terminal.js';

/**
 * The archive or folder the run in `dir` trained on, as model.json records it, if it is still
 * there: evaluating on it needs no --data and never a download.
 */
async function recordedSource(dir: string): Promise<string | undefined> {
  const json = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8')) as unknown;
  const training = (json as { training?: unknown }).training;
  const source = (training as { dataSource?: unknown } | null | undefined)?.dataSource;
  return typeof source === 'string' && existsSync(source) ? source : undefined;
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('test loss and accuracy of a saved model on the IMDB test split')
    .argument('<dir>', 'a run directory written by `gated train`')
    .option(
      '--data <path>',
      'IMDB archive (.tar.gz) or extracted folder (default: the one the run trained on, else $GATED_IMDB, the cache, a download)',
    )
    .option('--limit <n>', 'evaluate on only n test reviews, balanced (quick checks)', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--json', 'print {"loss": …, "accuracy": …, "reviews": …} as JSON')
    .action(
      async (
        dir: string,
        o: { data?: string; limit?: number; batchSize: number; json?: boolean },
      ) => {
        // Loading first checks every file of the run, so a bad dir fails before the data loads.
        const classifier = await SentimentClassifier.load(dir);
        const data = o.data ?? (await recordedSource(dir));
        const { logs, reviews, source } = await classifier.evaluateImdb({
          batchSize: o.batchSize,
          ...(data !== undefined ? { data } : {}),
          ...(o.limit !== undefined ? { limit: o.limit } : {}),
          ...(o.json ? {} : { onProgress: (msg: string) => process.stderr.write(msg + '\n') }),
        });
        if (o.json)
          terminal.log(JSON.stringify({ loss: logs.loss, accuracy: logs.accuracy, reviews }));
        else
          terminal.log(
            `Test loss: ${logs.loss.toFixed(4)} - Test accuracy: ${logs.accuracy.toFixed(4)} (${reviews} reviews from ${source})`,
          );
      },
    );
}

import { Command } from 'commander';
import { SentimentClassifier } from '../../experiments/sentiment.js';
import { truncateForDisplay } from '../display.js';
import { terminal } from '../terminal.js';

async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('sentiment of reviews given as arguments, or one per line on stdin')
    .argument('<dir>', 'a run directory written by `gated train`')
    .argument('[reviews...]', 'review texts (omit to read stdin)')
    .option('--json', 'print one JSON object per review')
    .action(async (dir: string, reviews: string[], o: { json?: boolean }) => {
      const classifier = await SentimentClassifier.load(dir);
      const texts = reviews.length > 0 ? reviews : await readStdinLines();
      if (texts.length === 0)
        throw new Error('no reviews: pass them as arguments or one per line on stdin');
      for (const p of classifier.predict(texts)) {
        if (o.json) terminal.log(JSON.stringify(p));
        else
          terminal.log(
            `${p.probability.toFixed(4)}\t${p.label}\t${truncateForDisplay(p.text, 60)}`,
          );
      }
    });
}

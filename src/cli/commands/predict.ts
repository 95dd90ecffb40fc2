import { Command } from 'commander';
import { SentimentClassifier } from '../../experiments/sentiment.js';
import { terminal } from '../terminal.js';

async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // The newline that ends the last line does not start another one.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
    .split(/\r?\n/);
}

/**
 * One rule for arguments and stdin lines: a blank review (nothing but white space) has no words
 * to judge, so it is left out, and stderr says how many were.
 */
function nonBlank(texts: string[]): string[] {
  const kept = texts.filter((t) => t.trim() !== '');
  const skipped = texts.length - kept.length;
  if (skipped > 0 && kept.length > 0)
    process.stderr.write(`gated: skipped ${skipped} blank review${skipped > 1 ? 's' : ''}\n`);
  return kept;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('sentiment of reviews given as arguments, or one per line on stdin')
    .argument('<dir>', 'a run directory written by `gated train`')
    .argument('[reviews...]', 'review texts (omit to read stdin)')
    .option('--json', 'print one JSON object per review')
    .action(async (dir: string, reviews: string[], o: { json?: boolean }) => {
      const classifier = await SentimentClassifier.load(dir);
      const texts = nonBlank(reviews.length > 0 ? reviews : await readStdinLines());
      if (texts.length === 0)
        throw new Error('no reviews: pass non-blank texts as arguments or one per line on stdin');
      for (const p of classifier.predict(texts)) {
        if (o.json) terminal.log(JSON.stringify(p));
        else
          terminal.log(
            `${p.probability.toFixed(4)}\t${p.label}\t${p.text.length > 60 ? p.text.slice(0, 57) + '...' : p.text}`,
          );
      }
    });
}

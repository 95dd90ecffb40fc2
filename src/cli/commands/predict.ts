import { Command } from 'commander';
import type { TextPrediction } from '../../classify/text-classifier.js';
import { loadClassifier } from '../../io/ensemble-dir.js';
import { truncateForDisplay } from '../display.js';
import { positiveInt } from '../parsers.js';
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

/** Shown classes when --top-k is not given: all of up to 10, else the top 5. */
function defaultTopK(classCount: number): number {
  return classCount <= 10 ? classCount : 5;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description(
      'class names with probabilities for texts given as arguments, or one per line on stdin',
    )
    .argument('<dir>', 'a run directory written by `gated train` (or model.save), or an ensemble')
    .argument('[texts...]', 'texts (omit to read stdin)')
    .option(
      '--top-k <k>',
      'show the k most probable classes (default: all of up to 10, else 5)',
      positiveInt,
    )
    .option('--json', 'print one JSON object per text')
    .action(async (dir: string, given: string[], o: { topK?: number; json?: boolean }) => {
      const classifier = await loadClassifier(dir);
      const texts = nonBlank(given.length > 0 ? given : await readStdinLines());
      if (texts.length === 0)
        throw new Error('no texts: pass them as arguments or one per line on stdin');
      const k = o.topK ?? defaultTopK(classifier.classNames.length);
      for (const p of classifier.predict(texts)) terminal.log(o.json ? asJson(p, k) : asText(p, k));
    });
}

function asJson(p: TextPrediction, k: number): string {
  return JSON.stringify({
    text: p.text,
    label: p.label,
    probability: p.probability,
    labels: p.labels,
    scores: p.scores.slice(0, k),
  });
}

function asText(p: TextPrediction, k: number): string {
  const shown = truncateForDisplay(p.text, 60);
  const scores = p.scores
    .slice(0, k)
    .map((s) => `${s.label} ${s.probability.toFixed(4)}`)
    .join('  ');
  return `${p.labels.join(',') || '(none)'}\t${scores}\t${shown}`;
}

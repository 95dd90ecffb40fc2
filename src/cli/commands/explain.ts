import { resolve } from 'node:path';
import { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic.js';
import { explainText } from '../../explain/index.js';
import { explanationJson, renderExplainPage } from '../../experiments/explain-page.js';
import { loadModel } from '../../io/model-dir.js';
import { positiveInt } from '../parsers.js';
import { terminal } from '../terminal.js';

interface ExplainFlags {
  out?: string;
  json?: boolean;
  steps: number;
}

export function explainCommand(): Command {
  return new Command('explain')
    .description(
      'look inside one prediction: per-token attribution, running prediction, gates and states (explain.html and/or JSON)',
    )
    .argument('<dir>', 'a run directory written by `gated train`')
    .argument('<review>', 'the review text')
    .option('--out <file>', 'write the page here (default explain.html; with --json only if given)')
    .option('--json', 'print the explanation as JSON (schema in the README)')
    .option(
      '--steps <n>',
      'integrated-gradients steps to start with, at most 512 (doubled up to 512 until the completeness check holds)',
      positiveInt,
      32,
    )
    .action(async (dir: string, review: string, o: ExplainFlags) => {
      const { model } = await loadModel(dir);
      if (!model.vectorizer)
        throw new Error(`${dir}: no vectorizer (vectorizer.json or vocab.json) to encode the text`);
      const e = explainText(model, review, { steps: o.steps });
      if (o.json) terminal.log(explanationJson(e));
      const out = o.out ?? (o.json ? null : 'explain.html');
      if (out === null) return;
      await writeFileAtomic(out, renderExplainPage(e));
      if (!o.json) {
        const c = e.attribution.completeness;
        terminal.log(
          `${e.output.meaning} = ${e.output.value.toFixed(4)}; integrated gradients ${e.attribution.steps} steps, ` +
            `completeness error ${(100 * c.relativeError).toFixed(2)}%; ${e.milliseconds.toFixed(0)} ms`,
        );
        terminal.log(`Wrote ${resolve(out)}`);
      }
    });
}

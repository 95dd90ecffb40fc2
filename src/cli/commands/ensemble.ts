import { Command } from 'commander';
import { saveEnsemble } from '../../io/ensemble-dir.js';
import { terminal } from '../terminal.js';

export function ensembleCommand(): Command {
  return new Command('ensemble')
    .description(
      'combine saved models of the same task and classes into one (the mean of their probabilities) that predict, evaluate and serve take',
    )
    .argument(
      '<dirs...>',
      'two or more model directories (each keeps its own vocabulary and maxlen)',
    )
    .requiredOption('--out <dir>', 'the ensemble directory to write (new or empty)')
    .action(async (dirs: string[], options: { out: string }) => {
      const ensemble = await saveEnsemble(dirs, options.out);
      terminal.log(
        `Wrote an ensemble of ${dirs.length} models (${ensemble.labels.task}: ${ensemble.classNames.join(', ')}) to ${options.out}`,
      );
    });
}

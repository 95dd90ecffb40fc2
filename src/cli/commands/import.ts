import { Command } from 'commander';
import { importKeras } from '../../interop/keras/file.js';
import { saveModel } from '../../io/model-dir.js';
import { terminal } from '../terminal.js';

export function importCommand(): Command {
  return new Command('import')
    .description('read a Keras 3 .keras file (Sequential model) into a gated model directory')
    .argument('<file>', 'the .keras file')
    .requiredOption('--out <dir>', 'the model directory to write (model.json, weights.safetensors)')
    .action(async (file: string, options: { out: string }) => {
      const { model, kerasVersion } = await importKeras(file);
      await saveModel(model, options.out, {
        training: { importedFrom: 'keras', file, kerasVersion },
      });
      terminal.log(`Imported ${file} (Keras ${kerasVersion ?? 'unknown'}) into ${options.out}`);
      terminal.log(model.summary());
    });
}

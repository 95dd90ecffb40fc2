import { access, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { exportKeras } from '../../interop/keras/export.js';
import { exportOnnx, ONNX_OPSET } from '../../interop/onnx/export.js';
import { exportPytorch } from '../../interop/pytorch/export.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { loadModel } from '../../io/model-dir.js';
import type { Sequential } from '../../models/sequential.js';
import { terminal } from '../terminal.js';

const VOCAB_FILE = 'vocab.json';

/** Each format: the bytes of the exported file and a line saying what it is. */
const FORMATS: Record<string, (model: Sequential) => Promise<{ bytes: Uint8Array; what: string }>> =
  {
    onnx: async (model) => ({
      bytes: exportOnnx(model),
      what: `ONNX opset ${ONNX_OPSET}, input "ids" int64 [batch, ${model.inputShape[0]}]`,
    }),
    pytorch: async (model) => ({
      bytes: exportPytorch(model),
      what: 'safetensors, PyTorch module tensor names and layouts',
    }),
    keras: async (model) => ({
      bytes: await exportKeras(model),
      what: 'Keras 3, for keras.saving.load_model',
    }),
  };

/** Copies DIR/vocab.json next to the exported file, when the model directory has one. */
async function copyVocabulary(dir: string, out: string): Promise<string | null> {
  const from = join(dir, VOCAB_FILE);
  try {
    await access(from);
  } catch {
    return null;
  }
  const to = join(dirname(out), VOCAB_FILE);
  await copyFile(from, to);
  return to;
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a gated model directory in another framework’s format')
    .argument('<dir>', 'a model directory (model.json, weights.safetensors)')
    .addOption(
      new Option('--format <format>', 'the format to write')
        .choices(Object.keys(FORMATS))
        .makeOptionMandatory(),
    )
    .requiredOption('--out <file>', 'the file to write')
    .action(async (dir: string, options: { format: string; out: string }) => {
      const { model } = await loadModel(dir);
      const { bytes, what } = await FORMATS[options.format](model);
      await writeFileAtomic(options.out, bytes);
      terminal.log(`Wrote ${options.out} (${what})`);
      const vocab = await copyVocabulary(dir, options.out);
      if (vocab) terminal.log(`Wrote ${vocab}`);
    });
}

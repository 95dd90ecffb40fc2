import type { Layer, LayerConfig } from '../../layers/layer.js';
import type { Sequential } from '../../models/sequential.js';
import { writeH5, type H5Dataset } from '../h5.js';
import { writeZip } from '../zip.js';
import {
  kerasWeightGroups,
  kerasWeightPaths,
  LAYER_SPECS,
  RECURRENT_CLASSES,
} from './layer-specs.js';

/** The Keras version whose .keras format the export follows (and was checked against). */
export const KERAS_FORMAT_VERSION = '3.15.1';

type Json = Record<string, unknown>;

/** The model has a layer a Keras Sequential cannot express. */
export class KerasExportError extends Error {}

/** gated options → a Keras layer config (name, options, the fixed values gated computes with). */
function kerasLayerConfig(className: string, config: LayerConfig, name: string): Json {
  const spec = LAYER_SPECS[className];
  const out: Json = { name, trainable: true, dtype: 'float32' };
  for (const option of spec.options) {
    const value = config[option.gated];
    if (value !== undefined) out[option.keras] = option.toKeras ? option.toKeras(value) : value;
  }
  Object.assign(out, spec.fixed);
  // gated outputs zeros at masked steps of a returned sequence, as Keras does with this set.
  if (RECURRENT_CLASSES.includes(className))
    out.zero_output_for_mask = config.returnSequences === true;
  return out;
}

function entry(className: string, config: Json, inputShape?: readonly number[]): Json {
  return {
    module: 'keras.layers',
    class_name: className,
    config,
    registered_name: null,
    ...(inputShape ? { build_config: { input_shape: [null, ...inputShape] } } : {}),
  };
}

function kerasLayer(layer: Layer): Json {
  const config = layer.getConfig();
  const json = kerasLayerConfig(layer.className, config, layer.name);
  if (layer.className === 'Bidirectional') {
    const inner = config.layer as { className: string; config: LayerConfig };
    const innerName = String(inner.config.name);
    const goBackwards = inner.config.goBackwards === true;
    const side = (prefix: string, backwards: boolean) =>
      entry(
        inner.className,
        kerasLayerConfig(
          inner.className,
          { ...inner.config, goBackwards: backwards },
          `${prefix}_${innerName}`,
        ),
        layer.inputShape,
      );
    json.layer = side('forward', goBackwards);
    json.backward_layer = side('backward', !goBackwards);
  }
  return entry(layer.className, json, layer.inputShape);
}

/** The model as a Keras 3 `.keras` archive (config.json, metadata.json, model.weights.h5). */
export async function exportKeras(model: Sequential): Promise<Uint8Array> {
  const unsupported = model.layers.find((l) => !Object.hasOwn(LAYER_SPECS, l.className));
  if (unsupported)
    throw new KerasExportError(
      `layer '${unsupported.name}' (${unsupported.className}) has no Keras Sequential equivalent: parallel branches need a functional Model in Keras, which gated does not export`,
    );
  const config = {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: model.name,
      trainable: true,
      dtype: 'float32',
      layers: [
        entry('InputLayer', {
          batch_shape: [null, ...model.inputShape],
          dtype: model.layers[0].className === 'Embedding' ? 'int32' : 'float32',
          sparse: false,
          ragged: false,
          name: 'input_layer',
        }),
        ...model.layers.map(kerasLayer),
      ],
    },
    registered_name: null,
    build_config: { input_shape: [null, ...model.inputShape] },
    compile_config: null,
  };
  const groups = kerasWeightGroups(model.layers.map((l) => l.className));
  const datasets: H5Dataset[] = [];
  const attributes = new Map<string, Record<string, string>>([['vars', { name: model.name }]]);
  model.layers.forEach((layer, i) => {
    const base = `layers/${groups[i]}`;
    attributes.set(`${base}/vars`, { name: layer.name });
    if (RECURRENT_CLASSES.includes(layer.className))
      attributes.set(`${base}/cell/vars`, { name: 'cell' });
    if (layer.className === 'Bidirectional') {
      for (const side of ['forward_layer', 'backward_layer']) {
        attributes.set(`${base}/${side}/vars`, { name: side });
        attributes.set(`${base}/${side}/cell/vars`, { name: 'cell' });
      }
    }
    const params = layer.params();
    const paths = kerasWeightPaths(groups[i], layer.className, params.length);
    params.forEach((p, j) =>
      datasets.push({
        path: paths[j],
        shape: p.value.shape,
        data: Float32Array.from(p.value.data),
      }),
    );
  });
  const weights = await writeH5(datasets, attributes);
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  return writeZip([
    ['metadata.json', text({ keras_version: KERAS_FORMAT_VERSION, exported_by: 'gated' })],
    ['config.json', text(config)],
    ['model.weights.h5', weights],
  ]);
}

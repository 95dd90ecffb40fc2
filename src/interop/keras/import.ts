import type { Backend } from '../../backend/backend.js';
import {
  buildModel,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  type ModelJson,
} from '../../io/model-json.js';
import type { LayerConfig } from '../../layers/layer.js';
import { layerFromConfig } from '../../layers/registry.js';
import type { Sequential } from '../../models/sequential.js';
import { withH5, type H5Reader } from '../h5.js';
import { readZipEntries } from '../zip.js';
import { makeLabelSet, type LabelSet } from '../../classify/task.js';
import { textVectorizer } from '../../text/vectorizer.js';
import { checkMaskedOutputs } from './masks.js';
import { textVectorizationFromKeras, vocabularyAsset } from './text-vectorization.js';
import {
  kerasWeightGroups,
  kerasWeightPaths,
  LAYER_SPECS,
  RECURRENT_CLASSES,
  type LayerSpec,
} from './layer-specs.js';

/** What importKeras returns: the model with Keras's weights, and what was read. */
export interface ImportedKeras {
  model: Sequential;
  json: ModelJson;
  kerasVersion: string | null;
}

const MB = 1024 * 1024;
/** The largest entries accepted from a .keras archive (config and metadata are small JSON). */
const ENTRY_LIMITS = {
  'config.json': 16 * MB,
  'metadata.json': 1 * MB,
  'model.weights.h5': 2048 * MB,
};

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A config value in an error message: a serialized Keras object by its class name. */
const describe = (v: unknown): string =>
  isObject(v) && typeof v.class_name === 'string' ? v.class_name : JSON.stringify(v);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Reads a Keras 3 `.keras` file (a zip of config.json, metadata.json and model.weights.h5) into a
 * gated Sequential model with Keras's weights. Works on bytes, so in Node and in the browser.
 * Anything gated cannot represent is a ModelFileError naming it; `where` names the file.
 */
export async function importKerasBytes(
  bytes: Uint8Array,
  where = 'model.keras',
  backend?: Backend,
): Promise<ImportedKeras> {
  if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x48) {
    throw new ModelFileError(
      `${where}: a legacy HDF5 (.h5) model; gated reads Keras 3 .keras files (in Keras: keras.models.load_model(path).save("model.keras"))`,
    );
  }
  const entries = readZipEntries(bytes, where, ENTRY_LIMITS);
  const text = (name: string): Json => {
    const data = entries.get(name);
    if (!data) throw new ModelFileError(`${where}: ${name} is missing from the archive`);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(data));
    } catch {
      throw new ModelFileError(`${where}: ${name} is not valid JSON`);
    }
    if (!isObject(value)) throw new ModelFileError(`${where}: ${name} is not a JSON object`);
    return value;
  };
  const metadata = text('metadata.json');
  const config = text('config.json');
  const weights = entries.get('model.weights.h5');
  if (!weights) throw new ModelFileError(`${where}: model.weights.h5 is missing from the archive`);

  const { json, vectorization } = modelJsonFromKeras(config, where);
  const model = buildModel(json, where, backend);
  // Keras names the h5 groups by class, the vectorization's (which holds no weights) included.
  const classes = json.layers.map((l) => l.className);
  const groups = kerasWeightGroups(vectorization ? [VECTORIZATION, ...classes] : classes);
  const vectorizationGroup = vectorization ? groups.shift() : undefined;
  if (vectorization && vectorizationGroup) {
    const asset = vocabularyAsset(vectorizationGroup);
    const vocabulary = readZipEntries(bytes, where, { [asset]: ENTRY_LIMITS['config.json'] });
    model.vectorizer = textVectorizer(
      textVectorizationFromKeras(
        vectorization,
        vocabulary.get(asset),
        `${where}: layer '${String(vectorization.name)}' (${VECTORIZATION})`,
      ),
    );
  }
  // A model that reads text is a classifier to gated (predict, serve, the page): Keras keeps no
  // class names, so its classes are named by index when the output is a classifier's.
  if (model.vectorizer) model.labels = indexLabels(json.layers.at(-1));
  await withH5(weights, `${where}: model.weights.h5`, (h5) =>
    setKerasWeights(model, groups, h5, `${where}: model.weights.h5`, vectorizationGroup),
  );
  const version = metadata.keras_version;
  return { model, json, kerasVersion: typeof version === 'string' ? version : null };
}

const VECTORIZATION = 'TextVectorization';

/** Classes '0', '1', … for a Dense classifier output (sigmoid or softmax), else none. */
function indexLabels(
  last: { className: string; config: LayerConfig } | undefined,
): LabelSet | null {
  const units = last?.className === 'Dense' ? last.config.units : undefined;
  const activation = last?.config.activation;
  if (typeof units !== 'number') return null;
  // One sigmoid unit is P(class 1) of two classes.
  const names = Array.from({ length: Math.max(units, 2) }, (_, i) => String(i));
  if (activation === 'sigmoid') return makeLabelSet(units === 1 ? 'binary' : 'multilabel', names);
  if (activation === 'softmax' && units >= 2) return makeLabelSet('multiclass', names);
  return null;
}

/**
 * The gated model.json for a Keras Sequential config (no weights), and the config of the
 * TextVectorization layer it starts with, if it does (gated keeps that beside the model).
 */
export function modelJsonFromKeras(
  config: Json,
  where: string,
): { json: ModelJson; vectorization: Json | null } {
  const fail = (why: string): never => {
    throw new ModelFileError(`${where}: ${why}`);
  };
  if (config.class_name !== 'Sequential') {
    fail(
      `a ${String(config.class_name)} model; gated imports Sequential models only (rebuild it with keras.Sequential)`,
    );
  }
  const body = isObject(config.config) ? config.config : fail('config.json has no model config');
  const list = Array.isArray(body.layers) ? body.layers : fail('config.json lists no layers');
  const [first, ...layerList] = list as unknown[];
  if (!isObject(first) || first.class_name !== 'InputLayer' || !isObject(first.config)) {
    fail('the model has no InputLayer (build it with keras.Input(shape=...) first)');
  }
  const input = (first as Json).config as Json;
  const head = layerList[0];
  const vectorization =
    isObject(head) &&
    head.class_name === VECTORIZATION &&
    isObject(head.config) &&
    (head.module ?? 'keras.layers') === 'keras.layers' &&
    (head.registered_name ?? VECTORIZATION) === VECTORIZATION
      ? head.config
      : null;
  const rest = vectorization ? layerList.slice(1) : layerList;
  if (vectorization) {
    const shape = input.batch_shape;
    const oneText =
      Array.isArray(shape) && (shape.length === 1 || (shape.length === 2 && shape[1] === 1));
    if (!oneText || input.dtype !== 'string')
      fail(
        `a TextVectorization model must take one string per row (keras.Input(shape=(1,), dtype="string")), not ${JSON.stringify(shape)} of ${String(input.dtype)}`,
      );
    const length = vectorization.output_sequence_length;
    if (!Number.isInteger(length) || (length as number) < 1)
      fail(
        `TextVectorization output_sequence_length=${JSON.stringify(length)}: gated needs a fixed sequence length`,
      );
  }
  const batchShape = vectorization
    ? [null, vectorization.output_sequence_length]
    : input.batch_shape;
  if (
    !Array.isArray(batchShape) ||
    batchShape.length < 2 ||
    !batchShape.slice(1).every((d) => Number.isInteger(d) && (d as number) > 0)
  ) {
    fail(
      `input shape ${JSON.stringify(batchShape)} is not supported: gated needs a fixed sequence length (keras.Input(shape=(maxlen,)))`,
    );
  }
  if (rest.length === 0) fail('the model has no layers');
  const layers = rest.map((l) => layerFromKeras(l, where));
  checkMaskedOutputs(rest as Json[], layers, where);
  const json: ModelJson = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    className: 'Sequential',
    name: typeof body.name === 'string' ? body.name : 'sequential',
    seed: 1,
    inputShape: (batchShape as number[]).slice(1),
    layers,
    compile: compileFromKeras(config.compile_config),
  };
  return { json, vectorization };
}

/** One Keras layer entry ({module, class_name, config, …}) as gated's {className, config}. */
function layerFromKeras(entry: unknown, where: string): { className: string; config: LayerConfig } {
  if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
    throw new ModelFileError(`${where}: a layer entry without class_name and config`);
  }
  const className = entry.class_name;
  const name = typeof entry.config.name === 'string' ? entry.config.name : className;
  const label = `layer '${name}' (${className})`;
  if (
    entry.registered_name !== null &&
    entry.registered_name !== undefined &&
    entry.registered_name !== className
  ) {
    throw new ModelFileError(
      `${where}: ${label} is a custom object (${String(entry.registered_name)}); gated cannot know what it computes`,
    );
  }
  const spec = Object.hasOwn(LAYER_SPECS, className) ? LAYER_SPECS[className] : undefined;
  if (!spec || (entry.module !== undefined && entry.module !== 'keras.layers')) {
    throw new ModelFileError(
      `${where}: ${label} is not supported (gated has ${Object.keys(LAYER_SPECS).join(', ')})`,
    );
  }
  const config = optionsFromKeras(entry.config, spec, `${where}: ${label}`);
  if (className === 'Bidirectional')
    config.layer = bidirectionalInner(entry.config, `${where}: ${label}`);
  try {
    layerFromConfig(className, config);
  } catch (err) {
    throw new ModelFileError(`${where}: ${label}: ${(err as Error).message}`);
  }
  return { className, config };
}

function optionsFromKeras(keras: Json, spec: LayerSpec, label: string): LayerConfig {
  const out: LayerConfig = {};
  if (typeof keras.name === 'string') out.name = keras.name;
  for (const [key, value] of Object.entries(keras)) {
    const option = spec.options.find((o) => o.keras === key);
    if (option) {
      out[option.gated] = option.toGated ? option.toGated(value) : value;
    } else if (Object.hasOwn(spec.fixed, key)) {
      if (!same(value, spec.fixed[key]) && !(value === undefined)) {
        throw new ModelFileError(
          `${label}: ${key}=${describe(value)} is not supported (gated has only ${describe(spec.fixed[key])})`,
        );
      }
    } else if (key === 'trainable') {
      if (value !== true)
        throw new ModelFileError(`${label}: frozen layers (trainable=false) are not supported`);
    } else if (key === 'dtype') {
      checkDtype(value, label);
    } else if (
      !spec.ignored.includes(key) &&
      key !== 'name' &&
      key !== 'layer' &&
      key !== 'backward_layer'
    ) {
      throw new ModelFileError(`${label}: option ${key}=${describe(value)} is not supported`);
    }
  }
  return out;
}

function checkDtype(value: unknown, label: string): void {
  const name = isObject(value) && isObject(value.config) ? value.config.name : value;
  if (name !== undefined && name !== null && name !== 'float32') {
    throw new ModelFileError(
      `${label}: dtype ${JSON.stringify(name)} is not supported (gated computes in float32)`,
    );
  }
}

/** The recurrent layer a Bidirectional wraps; its backward copy must be the same layer reversed. */
function bidirectionalInner(
  config: Json,
  label: string,
): { className: string; config: LayerConfig } {
  const forward = config.layer;
  if (!isObject(forward) || typeof forward.class_name !== 'string' || !isObject(forward.config)) {
    throw new ModelFileError(`${label}: no wrapped layer`);
  }
  if (!RECURRENT_CLASSES.includes(forward.class_name)) {
    throw new ModelFileError(
      `${label}: wraps ${forward.class_name}; gated wraps ${RECURRENT_CLASSES.join(', ')}`,
    );
  }
  const inner = optionsFromKeras(
    forward.config,
    LAYER_SPECS[forward.class_name],
    `${label}: ${forward.class_name}`,
  );
  const backward = config.backward_layer;
  if (backward !== undefined && backward !== null) {
    const f = forward.config as Json;
    const b = isObject(backward) && isObject(backward.config) ? backward.config : {};
    const differs =
      b.go_backwards === f.go_backwards ||
      Object.keys({ ...f, ...b }).some(
        (k) =>
          k !== 'name' && k !== 'go_backwards' && !k.endsWith('initializer') && !same(f[k], b[k]),
      );
    if (!isObject(backward) || backward.class_name !== forward.class_name || differs) {
      throw new ModelFileError(
        `${label}: a backward_layer that differs from the forward layer is not supported`,
      );
    }
  }
  const name = typeof inner.name === 'string' ? inner.name.replace(/^forward_/, '') : undefined;
  return { className: forward.class_name, config: { ...inner, ...(name ? { name } : {}) } };
}

const LOSSES = ['binary_crossentropy', 'categorical_crossentropy', 'mean_squared_error'];
const OPTIMIZER_OPTIONS: Record<string, string> = {
  learning_rate: 'learningRate',
  beta_1: 'beta1',
  beta_2: 'beta2',
  epsilon: 'epsilon',
  momentum: 'momentum',
  rho: 'rho',
};

/**
 * Keras's compile settings when gated has the same optimizer, loss and metrics; otherwise none
 * (they do not change predictions, and the model can be compiled again before training).
 */
function compileFromKeras(value: unknown): ModelJson['compile'] {
  if (!isObject(value) || !isObject(value.optimizer) || !isObject(value.optimizer.config))
    return null;
  const name = String(value.optimizer.class_name).toLowerCase();
  const loss = value.loss;
  const metrics = value.metrics ?? [];
  if (
    !['adam', 'sgd', 'rmsprop'].includes(name) ||
    typeof loss !== 'string' ||
    !LOSSES.includes(loss)
  )
    return null;
  if (!Array.isArray(metrics) || !metrics.every((m) => m === 'accuracy')) return null;
  const optimizer: Record<string, unknown> = { name };
  for (const [key, option] of Object.entries(OPTIMIZER_OPTIONS)) {
    const v = value.optimizer.config[key];
    if (typeof v === 'number') optimizer[option] = v;
  }
  return { optimizer, loss, metrics: metrics as string[] };
}

/**
 * Sets each layer's weights from Keras's h5 datasets, checked by count, shape and value;
 * `vectorizationGroup` is the TextVectorization's group, which must hold no weights.
 */
function setKerasWeights(
  model: Sequential,
  groups: string[],
  h5: H5Reader,
  where: string,
  vectorizationGroup?: string,
): void {
  const expectedGroups = new Set<string>();
  if (vectorizationGroup !== undefined) {
    const held = ['vars', '_lookup_layer/vars'].flatMap(
      (vars) => h5.groupKeys(`layers/${vectorizationGroup}/${vars}`) ?? [],
    );
    if (held.length > 0)
      throw new ModelFileError(
        `${where}: layers/${vectorizationGroup} holds weights (a TF-IDF vectorization?), gated reads ids only`,
      );
    expectedGroups.add(vectorizationGroup);
  }
  model.layers.forEach((layer, i) => {
    const params = layer.params();
    expectedGroups.add(groups[i]);
    const paths = kerasWeightPaths(groups[i], layer.className, params.length);
    for (const dir of new Set(paths.map((p) => p.slice(0, p.lastIndexOf('/'))))) {
      const keys = h5.groupKeys(dir);
      if (keys === null)
        throw new ModelFileError(`${where}: missing ${dir} (layer '${layer.name}')`);
      const want = paths.filter((p) => p.startsWith(`${dir}/`)).length;
      if (keys.length !== want) {
        throw new ModelFileError(
          `${where}: ${dir} holds ${keys.length} weight(s), layer '${layer.name}' needs ${want}`,
        );
      }
    }
    params.forEach((param, j) => {
      const d = h5.dataset(paths[j]);
      if (!d)
        throw new ModelFileError(`${where}: missing ${paths[j]} (${layer.name}/${param.name})`);
      if (!same(d.shape, param.value.shape)) {
        throw new ModelFileError(
          `${where}: ${paths[j]} has shape [${d.shape.join(', ')}], ${layer.name}/${param.name} needs [${param.value.shape.join(', ')}]`,
        );
      }
      if (!d.data.every(Number.isFinite)) {
        throw new ModelFileError(`${where}: ${paths[j]} holds NaN or infinite values`);
      }
      param.value.data.set(d.data);
    });
  });
  const extra = (h5.groupKeys('layers') ?? []).filter((g) => !expectedGroups.has(g));
  if (extra.length > 0)
    throw new ModelFileError(`${where}: weights of unknown layers: ${extra.join(', ')}`);
}

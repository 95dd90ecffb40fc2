import type { Layer, LayerConfig, Param } from '../../layers/layer.js';
import type { Sequential } from '../../models/sequential.js';
import { GATE_ORDER, reorderGates, transposeGates } from '../gates.js';
import { convKernelChannelsFirst } from '../layouts.js';
import { OnnxGraph } from './graph.js';
import { DataType, encodeModelProto } from './proto.js';

/** The ONNX operator set the exported graphs use (ai.onnx opset 17, IR version 8). */
export const ONNX_OPSET = 17;
const IR_VERSION = 8;
export const ONNX_INPUT = 'ids';
export const ONNX_OUTPUT = 'output';

/** A model gated cannot express in ONNX (the message names the layer and why). */
export class OnnxExportError extends Error {}

/**
 * Where the value flowing between layers stands. Masks (Embedding maskZero) are handled by
 * moving each row's unmasked steps to the front ("compacted", in their order), so that ONNX's
 * recurrent ops can skip the rest through sequence_lens exactly as gated skips masked steps;
 * layers that read positions get the steps put back first.
 */
interface Flow {
  value: string;
  /** Shape without the batch: [T, C] or [C]. */
  shape: number[];
  /** When a mask is active: the per-row count of unmasked steps (int32 and int64 [B]). */
  lengths: { int32: string; int64: string } | null;
  /** When compacted: for each row and output position, the compacted step it came from [B, T]. */
  restore: string | null;
}

const param = (layer: Layer, name: string): Param | undefined =>
  layer.params().find((p) => p.name === name);

const ACTIVATIONS: Record<string, string | null> = {
  linear: null,
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  softmax: 'Softmax',
};

/** The model as an ONNX ModelProto: input `ids` int64 [batch, T], output float [batch, …]. */
export function exportOnnx(model: Sequential): Uint8Array {
  const g = new OnnxGraph();
  const first = model.layers[0];
  if (first.className !== 'Embedding' || model.inputShape.length !== 1) {
    throw new OnnxExportError('ONNX export needs a model that starts with an Embedding of ids');
  }
  let flow: Flow = {
    value: ONNX_INPUT,
    shape: [...model.inputShape],
    lengths: null,
    restore: null,
  };
  for (const layer of model.layers) flow = convertLayer(g, layer, flow);
  flow = restoreOrder(g, flow);
  const steps = model.inputShape[0];
  const dims = (shape: number[]) => [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))];
  return encodeModelProto({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'gated',
    docString: `gated model '${model.name}'`,
    graph: {
      name: model.name,
      node: [
        ...g.nodes,
        { opType: 'Identity', input: [flow.value], output: [ONNX_OUTPUT], name: 'output' },
      ],
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, DataType.INT64, dims([steps]))],
      output: [valueInfo(ONNX_OUTPUT, DataType.FLOAT, dims(flow.shape))],
    },
  });
}

function valueInfo(name: string, elemType: number, dim: Record<string, unknown>[]) {
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function convertLayer(g: OnnxGraph, layer: Layer, flow: Flow): Flow {
  const config = layer.getConfig();
  switch (layer.className) {
    case 'Embedding':
      return embedding(g, layer, config, flow);
    case 'Dropout':
      return flow;
    case 'Dense':
      return dense(g, layer, config, flow);
    case 'Conv1D':
      return conv1d(g, layer, config, restoreOrder(g, flow));
    case 'MaxPooling1D':
      return maxPooling(g, config, restoreOrder(g, flow));
    case 'GlobalMaxPooling1D': {
      const x = restoreOrder(g, flow);
      return {
        ...x,
        value: g.op('ReduceMax', [x.value], { axes: [1], keepdims: 0 }),
        shape: [x.shape[1]],
        lengths: null,
      };
    }
    case 'GlobalAveragePooling1D':
      return averagePooling(g, flow);
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional':
      return recurrent(g, layer, config, flow);
    default:
      throw new OnnxExportError(`layer '${layer.name}' (${layer.className}) has no ONNX export`);
  }
}

function embedding(g: OnnxGraph, layer: Layer, config: LayerConfig, flow: Flow): Flow {
  const table = param(layer, 'embeddings') as Param;
  const [inputDim, outputDim] = table.value.shape;
  const weights = g.floats('embeddings', [inputDim, outputDim], table.value.data);
  if (config.maskZero !== true) {
    return {
      ...flow,
      value: g.op('Gather', [weights, flow.value]),
      shape: [...flow.shape, outputDim],
    };
  }
  // Mask 0 ids: compact each row's nonzero ids to the front (stable), remember the lengths and
  // the permutation's inverse. key = position + T·masked sorts unmasked steps first, in order.
  const T = flow.shape[0];
  const isPad = g.op('Equal', [flow.value, g.ints('zero', [], [0])]);
  const padInt = g.op('Cast', [isPad], { to: DataType.INT64 });
  const key = g.op('Add', [
    g.op('Mul', [padInt, g.ints('steps', [], [T])]),
    g.ints(
      'positions',
      [T],
      Array.from({ length: T }, (_, i) => i),
    ),
  ]);
  const k = g.ints('k', [1], [T]);
  const [, order] = g.node('TopK', [key, k], { axis: 1, largest: 0, sorted: 1 }, 2);
  const [, restore] = g.node('TopK', [order, k], { axis: 1, largest: 0, sorted: 1 }, 2);
  const ids = g.op('GatherElements', [flow.value, order], { axis: 1 });
  const length64 = g.op(
    'ReduceSum',
    [g.op('Sub', [g.ints('one', [], [1]), padInt]), g.ints('axis', [1], [1])],
    {
      keepdims: 0,
    },
  );
  return {
    value: g.op('Gather', [weights, ids]),
    shape: [T, outputDim],
    lengths: { int64: length64, int32: g.op('Cast', [length64], { to: DataType.INT32 }) },
    restore,
  };
}

/** Puts compacted steps back at their positions (a no-op when the flow is not compacted). */
function restoreOrder(g: OnnxGraph, flow: Flow): Flow {
  if (flow.restore === null || flow.shape.length !== 2) return { ...flow, restore: null };
  const index = g.op('Expand', [
    g.op('Unsqueeze', [flow.restore, g.ints('axis', [1], [2])]),
    g.op('Shape', [flow.value]),
  ]);
  return {
    ...flow,
    value: g.op('GatherElements', [flow.value, index], { axis: 1 }),
    restore: null,
    lengths: null,
  };
}

function activate(g: OnnxGraph, value: string, activation: unknown, owner: Layer): string {
  const op = ACTIVATIONS[String(activation)];
  if (op === undefined)
    throw new OnnxExportError(`layer '${owner.name}': activation ${String(activation)}`);
  if (op === null) return value;
  return g.op(op, [value], op === 'Softmax' ? { axis: -1 } : {});
}

function dense(g: OnnxGraph, layer: Layer, config: LayerConfig, flow: Flow): Flow {
  const kernel = param(layer, 'kernel') as Param;
  const bias = param(layer, 'bias');
  const [inDim, units] = kernel.value.shape;
  const w = g.floats('kernel', [inDim, units], kernel.value.data);
  const b = bias ? g.floats('bias', [units], bias.value.data) : null;
  let y: string;
  if (flow.shape.length === 1) {
    y = g.op('Gemm', b ? [flow.value, w, b] : [flow.value, w]);
  } else {
    y = g.op('MatMul', [flow.value, w]);
    if (b) y = g.op('Add', [y, b]);
  }
  return {
    ...flow,
    value: activate(g, y, config.activation, layer),
    shape: [...flow.shape.slice(0, -1), units],
  };
}

/** Keras/TensorFlow 'same' padding: [left, right], the smaller half on the left. */
function samePads(steps: number, stride: number, span: number): [number, number] {
  const out = Math.ceil(steps / stride);
  const total = Math.max((out - 1) * stride + span - steps, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function outputSteps(steps: number, stride: number, span: number, padding: unknown): number {
  return padding === 'same' ? Math.ceil(steps / stride) : Math.floor((steps - span) / stride) + 1;
}

/** Runs a channels-first op on a [B, T, C] flow: transpose in, op, transpose out. */
function channelsFirst(g: OnnxGraph, value: string, op: (x: string) => string): string {
  return g.op('Transpose', [op(g.op('Transpose', [value], { perm: [0, 2, 1] }))], {
    perm: [0, 2, 1],
  });
}

function conv1d(g: OnnxGraph, layer: Layer, config: LayerConfig, flow: Flow): Flow {
  const kernel = param(layer, 'kernel') as Param;
  const bias = param(layer, 'bias');
  const [size, channels, filters] = kernel.value.shape;
  const stride = config.strides as number;
  const dilation = config.dilationRate as number;
  const span = (size - 1) * dilation + 1;
  const T = flow.shape[0];
  const w = convKernelChannelsFirst(kernel.value.data, kernel.value.shape);
  const inputs = [g.floats('conv_kernel', [filters, channels, size], w)];
  if (bias) inputs.push(g.floats('conv_bias', [filters], bias.value.data));
  const pads = config.padding === 'same' ? samePads(T, stride, span) : [0, 0];
  const y = channelsFirst(g, flow.value, (x) =>
    g.op('Conv', [x, ...inputs], {
      kernel_shape: [size],
      strides: [stride],
      dilations: [dilation],
      pads,
    }),
  );
  return {
    value: activate(g, y, config.activation, layer),
    shape: [outputSteps(T, stride, span, config.padding), filters],
    lengths: null,
    restore: null,
  };
}

function maxPooling(g: OnnxGraph, config: LayerConfig, flow: Flow): Flow {
  const size = config.poolSize as number;
  const stride = config.strides as number;
  const [T, C] = flow.shape;
  const pads = config.padding === 'same' ? samePads(T, stride, size) : [0, 0];
  const y = channelsFirst(g, flow.value, (x) =>
    g.op('MaxPool', [x], { kernel_shape: [size], strides: [stride], pads }),
  );
  return {
    value: y,
    shape: [outputSteps(T, stride, size, config.padding), C],
    lengths: null,
    restore: null,
  };
}

/** Mean over steps; with a mask, over each row's unmasked steps only (0 when there are none). */
function averagePooling(g: OnnxGraph, flow: Flow): Flow {
  const [T, C] = flow.shape;
  const done = { shape: [C], lengths: null, restore: null };
  if (flow.lengths === null)
    return { ...done, value: g.op('ReduceMean', [flow.value], { axes: [1], keepdims: 0 }) };
  // Compacted: the unmasked steps of a row are its first `length` steps.
  const positions = g.ints(
    'positions',
    [1, T],
    Array.from({ length: T }, (_, i) => i),
  );
  const lengths = g.op('Unsqueeze', [flow.lengths.int64, g.ints('axis', [1], [1])]);
  const keep = g.op('Cast', [g.op('Less', [positions, lengths])], { to: DataType.FLOAT });
  const kept = g.op('Mul', [flow.value, g.op('Unsqueeze', [keep, g.ints('axis', [1], [2])])]);
  const sum = g.op('ReduceSum', [kept, g.ints('axis', [1], [1])], { keepdims: 0 });
  const count = g.op('Max', [
    g.op('Cast', [lengths], { to: DataType.FLOAT }),
    g.floats('one', [], [1]),
  ]);
  return { ...done, value: g.op('Div', [sum, count]) };
}

/** ONNX weights of one recurrent layer (one direction): W [G·H, D], R [G·H, H], B [2·G·H]. */
function recurrentWeights(layer: Layer): {
  W: Float32Array;
  R: Float32Array;
  B: Float32Array | null;
} {
  const kernel = param(layer, 'kernel') as Param;
  const recurrent = param(layer, 'recurrent_kernel') as Param;
  const bias = param(layer, 'bias');
  const [D, GH] = kernel.value.shape;
  const H = recurrent.value.shape[0];
  const order =
    layer.className === 'LSTM'
      ? GATE_ORDER.onnxLstm
      : layer.className === 'GRU'
        ? GATE_ORDER.onnxGru
        : [0];
  const W = transposeGates(kernel.value.data, D, H, order);
  const R = transposeGates(recurrent.value.data, H, H, order);
  if (!bias) return { W, R, B: null };
  const B = new Float32Array(2 * GH);
  const b = bias.value.data;
  if (bias.value.shape.length === 2) {
    // GRU resetAfter: row 0 the input bias (Wb), row 1 the recurrent bias (Rb).
    B.set(reorderGates(b.subarray(0, GH), H, order), 0);
    B.set(reorderGates(b.subarray(GH), H, order), GH);
  } else {
    B.set(reorderGates(b, H, order), 0);
  }
  return { W, R, B };
}

function recurrent(g: OnnxGraph, layer: Layer, config: LayerConfig, flow: Flow): Flow {
  const bidirectional = layer.className === 'Bidirectional';
  const layers = bidirectional
    ? [
        (layer as unknown as { forwardLayer: Layer }).forwardLayer,
        (layer as unknown as { backwardLayer: Layer }).backwardLayer,
      ]
    : [layer];
  const inner = layers[0];
  const innerConfig = inner.getConfig();
  const goBackwards = innerConfig.goBackwards === true;
  const returnSequences = innerConfig.returnSequences === true;
  if (bidirectional && goBackwards) {
    throw new OnnxExportError(
      `layer '${layer.name}': a Bidirectional around a goBackwards layer has no ONNX export`,
    );
  }
  if (!bidirectional && goBackwards && returnSequences && flow.lengths !== null) {
    throw new OnnxExportError(
      `layer '${layer.name}': goBackwards with returnSequences on masked input has no ONNX export`,
    );
  }
  const [T, D] = flow.shape;
  const H = innerConfig.units as number;
  const weights = layers.map(recurrentWeights);
  const G = weights[0].W.length / (H * D);
  const dirs = layers.length;
  const stack = (pick: (w: (typeof weights)[number]) => Float32Array, size: number) => {
    const out = new Float32Array(dirs * size);
    weights.forEach((w, i) => out.set(pick(w), i * size));
    return out;
  };
  const inputs = [
    g.op('Transpose', [flow.value], { perm: [1, 0, 2] }),
    g.floats(
      'W',
      [dirs, G * H, D],
      stack((w) => w.W, G * H * D),
    ),
    g.floats(
      'R',
      [dirs, G * H, H],
      stack((w) => w.R, G * H * H),
    ),
    weights[0].B
      ? g.floats(
          'B',
          [dirs, 2 * G * H],
          stack((w) => w.B as Float32Array, 2 * G * H),
        )
      : '',
    flow.lengths ? flow.lengths.int32 : '',
  ];
  const attributes: Record<string, number | string | string[] | number[]> = {
    hidden_size: H,
    direction: bidirectional ? 'bidirectional' : goBackwards ? 'reverse' : 'forward',
  };
  const op = inner.className === 'SimpleRNN' ? 'RNN' : inner.className;
  if (op === 'GRU') attributes.linear_before_reset = innerConfig.resetAfter === false ? 0 : 1;
  if (op === 'RNN') {
    const activation = RNN_ACTIVATIONS[String(innerConfig.activation)];
    if (!activation)
      throw new OnnxExportError(
        `layer '${layer.name}': activation ${String(innerConfig.activation)} has no ONNX RNN form`,
      );
    attributes.activations = Array(dirs).fill(activation);
  }
  const [Y, Yh] = g.node(op, inputs, attributes, 2);
  const direction = (i: number): string => {
    const index = g.ints('direction', [], [i]);
    if (!returnSequences) return g.op('Gather', [Yh, index], { axis: 0 });
    let seq = g.op('Transpose', [g.op('Gather', [Y, index], { axis: 1 })], { perm: [1, 0, 2] });
    // Keras's goBackwards sequence is in processing order; ONNX's reverse output in time order.
    if (!bidirectional && goBackwards) {
      seq = g.op('Slice', [
        seq,
        g.ints('start', [1], [-1]),
        g.ints('end', [1], [-(T + 1)]),
        g.ints('axis', [1], [1]),
        g.ints('step', [1], [-1]),
      ]);
    }
    return seq;
  };
  let value = direction(0);
  if (bidirectional) value = merge(g, config.mergeMode as string, value, direction(1));
  const width = bidirectional && config.mergeMode === 'concat' ? 2 * H : H;
  return returnSequences
    ? { ...flow, value, shape: [T, width] }
    : { value, shape: [width], lengths: null, restore: null };
}

const RNN_ACTIVATIONS: Record<string, string> = { tanh: 'Tanh', relu: 'Relu', sigmoid: 'Sigmoid' };

function merge(g: OnnxGraph, mode: string, a: string, b: string): string {
  switch (mode) {
    case 'concat':
      return g.op('Concat', [a, b], { axis: -1 });
    case 'sum':
      return g.op('Add', [a, b]);
    case 'mul':
      return g.op('Mul', [a, b]);
    case 'ave':
      return g.op('Mul', [g.op('Add', [a, b]), g.floats('half', [], [0.5])]);
    default:
      throw new OnnxExportError(`merge mode ${mode} has no ONNX export`);
  }
}

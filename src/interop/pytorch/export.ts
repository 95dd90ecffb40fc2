import type { Layer, Param } from '../../layers/layer.js';
import type { Sequential } from '../../models/sequential.js';
import { encodeSafetensors, type NamedArray } from '../../io/safetensors.js';
import { GATE_ORDER, reorderGates, transposeGates } from '../gates.js';
import { convKernelChannelsFirst, transpose } from '../layouts.js';

/** A model (or a layer option) PyTorch's standard modules cannot hold. */
export class PytorchExportError extends Error {}

// Tensor names follow PyTorch's own modules, one module per gated layer, named after the layer:
// `<name>.weight` for nn.Embedding / nn.Linear / nn.Conv1d, `<name>.weight_ih_l0`, … for
// nn.RNN / nn.LSTM / nn.GRU (`_reverse` for a Bidirectional's backward direction). So
// `model.load_state_dict(load_file(path))` fits a torch module whose attributes are those names.

const param = (layer: Layer, name: string): Param | undefined =>
  layer.params().find((p) => p.name === name);

/** One direction of a recurrent layer as PyTorch's four tensors (suffix '' or '_reverse'). */
function recurrentTensors(layer: Layer, prefix: string, suffix: string): NamedArray[] {
  const config = layer.getConfig();
  if (layer.className === 'GRU' && config.resetAfter === false) {
    throw new PytorchExportError(
      `layer '${layer.name}': nn.GRU applies the reset gate after the recurrent product (Keras reset_after=True); this GRU has resetAfter false`,
    );
  }
  if (layer.className === 'SimpleRNN' && !['tanh', 'relu'].includes(String(config.activation))) {
    throw new PytorchExportError(
      `layer '${layer.name}': nn.RNN has tanh or relu, not ${String(config.activation)}`,
    );
  }
  const order =
    layer.className === 'LSTM'
      ? GATE_ORDER.torchLstm
      : layer.className === 'GRU'
        ? GATE_ORDER.torchGru
        : [0];
  const kernel = param(layer, 'kernel') as Param;
  const recurrent = param(layer, 'recurrent_kernel') as Param;
  const bias = param(layer, 'bias');
  const [D, GH] = kernel.value.shape;
  const H = recurrent.value.shape[0];
  const name = (what: string) => `${prefix}.${what}_l0${suffix}`;
  const out: NamedArray[] = [
    {
      name: name('weight_ih'),
      shape: [GH, D],
      data: transposeGates(kernel.value.data, D, H, order),
    },
    {
      name: name('weight_hh'),
      shape: [GH, H],
      data: transposeGates(recurrent.value.data, H, H, order),
    },
  ];
  if (bias) {
    const b = bias.value.data;
    // Keras adds one bias (GRU resetAfter: an input and a recurrent one); PyTorch always two.
    const [ih, hh] =
      bias.value.shape.length === 2
        ? [b.subarray(0, GH), b.subarray(GH)]
        : [b, new Float32Array(GH)];
    out.push({ name: name('bias_ih'), shape: [GH], data: reorderGates(ih, H, order) });
    out.push({ name: name('bias_hh'), shape: [GH], data: reorderGates(hh, H, order) });
  }
  return out;
}

function layerTensors(layer: Layer): NamedArray[] {
  const name = layer.name;
  switch (layer.className) {
    case 'Embedding': {
      const e = param(layer, 'embeddings') as Param;
      return [
        { name: `${name}.weight`, shape: e.value.shape, data: Float32Array.from(e.value.data) },
      ];
    }
    case 'Dense': {
      const k = param(layer, 'kernel') as Param;
      const b = param(layer, 'bias');
      const [inDim, units] = k.value.shape;
      return [
        {
          name: `${name}.weight`,
          shape: [units, inDim],
          data: transpose(k.value.data, inDim, units),
        },
        ...(b
          ? [{ name: `${name}.bias`, shape: [units], data: Float32Array.from(b.value.data) }]
          : []),
      ];
    }
    case 'Conv1D': {
      const k = param(layer, 'kernel') as Param;
      const b = param(layer, 'bias');
      const [size, channels, filters] = k.value.shape;
      const weight = convKernelChannelsFirst(k.value.data, k.value.shape);
      return [
        { name: `${name}.weight`, shape: [filters, channels, size], data: weight },
        ...(b
          ? [{ name: `${name}.bias`, shape: [filters], data: Float32Array.from(b.value.data) }]
          : []),
      ];
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      if (layer.getConfig().goBackwards === true) {
        throw new PytorchExportError(
          `layer '${layer.name}': nn.${layer.className === 'SimpleRNN' ? 'RNN' : layer.className} has no go_backwards`,
        );
      }
      return recurrentTensors(layer, name, '');
    case 'Bidirectional': {
      const { forwardLayer, backwardLayer } = layer as unknown as {
        forwardLayer: Layer;
        backwardLayer: Layer;
      };
      if (forwardLayer.getConfig().goBackwards === true) {
        throw new PytorchExportError(
          `layer '${layer.name}': a Bidirectional around a goBackwards layer`,
        );
      }
      return [
        ...recurrentTensors(forwardLayer, name, ''),
        ...recurrentTensors(backwardLayer, name, '_reverse'),
      ];
    }
    default:
      // Dropout and pooling have no weights; any other layer would silently lose its own.
      if (layer.params().length > 0)
        throw new PytorchExportError(
          `layer '${layer.name}' (${layer.className}) has no PyTorch export`,
        );
      return [];
  }
}

/** The model's weights as PyTorch module tensors in safetensors (metadata: the layer list). */
export function exportPytorch(model: Sequential): Uint8Array {
  const tensors = model.layers.flatMap(layerTensors);
  const layers = model.layers.map((l) => ({
    name: l.name,
    className: l.className,
    config: l.getConfig(),
  }));
  return encodeSafetensors(tensors, { format: 'pt', gated_layers: JSON.stringify(layers) });
}

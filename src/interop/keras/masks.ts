import { ModelFileError } from '../../io/model-json.js';
import type { LayerConfig } from '../../layers/layer.js';

type Json = Record<string, unknown>;

/** Layers that read every step of their input whatever the mask says. */
const MASK_BLIND = ['Conv1D', 'MaxPooling1D', 'GlobalMaxPooling1D'];
/** Layers that skip masked steps (the recurrent ones, and the masked average). */
const MASK_READERS = ['SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'GlobalAveragePooling1D'];

/**
 * gated's recurrent layers output zeros at masked steps when they return sequences; Keras's do
 * that only with zero_output_for_mask=true (Bidirectional sets it), and otherwise repeat the
 * last output. The two agree unless such an output reaches a layer that reads masked steps (or
 * is the model's output); that case is refused rather than imported as a different model.
 */
export function checkMaskedOutputs(
  keras: readonly Json[],
  layers: readonly { className: string; config: LayerConfig }[],
  where: string,
): void {
  let masked = false;
  let carriedFrom: string | null = null;
  layers.forEach(({ className, config }, i) => {
    if (carriedFrom !== null && MASK_BLIND.includes(className)) {
      throw new ModelFileError(
        `${where}: layer '${String(config.name)}' (${className}) reads the masked steps of '${carriedFrom}', where Keras repeats the last output (zero_output_for_mask=false) and gated outputs zeros`,
      );
    }
    if (MASK_READERS.includes(className) || MASK_BLIND.includes(className)) carriedFrom = null;
    if (className === 'Embedding') masked = config.maskZero === true;
    else if (MASK_BLIND.includes(className)) masked = false;
    else if (MASK_READERS.includes(className)) {
      const inner =
        className === 'Bidirectional' ? (config.layer as { config: LayerConfig }).config : config;
      const returnsSequences = inner.returnSequences === true;
      const kerasConfig = (keras[i].config ?? {}) as Json;
      const innerKeras =
        className === 'Bidirectional' ? ((kerasConfig.layer as Json)?.config as Json) : kerasConfig;
      if (
        masked &&
        returnsSequences &&
        innerKeras?.zero_output_for_mask !== true &&
        className !== 'GlobalAveragePooling1D'
      ) {
        carriedFrom = String(config.name);
      }
      masked = masked && returnsSequences;
    }
  });
  if (carriedFrom !== null) {
    throw new ModelFileError(
      `${where}: the model outputs the masked steps of '${carriedFrom}', where Keras repeats the last output (zero_output_for_mask=false) and gated outputs zeros`,
    );
  }
}

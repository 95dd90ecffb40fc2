/** Keras's `pad_sequences`, writing into one flat row-major Int32Array. */

export type PadSide = 'pre' | 'post';

export interface PadOptions {
  /** Where the pad values go when a sequence is shorter than maxlen. */
  padding?: PadSide;
  /** Which end is cut when a sequence is longer than maxlen. */
  truncating?: PadSide;
  /** The pad value. */
  value?: number;
}

/** Pads or truncates `seqs` to `maxlen`: the result is [seqs.length, maxlen], row-major. */
export function padSequences(
  seqs: ArrayLike<number>[],
  maxlen: number,
  options: PadOptions = {},
): Int32Array {
  if (!Number.isInteger(maxlen) || maxlen < 1) {
    throw new Error(`padSequences: maxlen must be a positive integer, got ${maxlen}`);
  }
  const out = new Int32Array(seqs.length * maxlen);
  seqs.forEach((seq, row) => padInto(seq, out, row * maxlen, maxlen, options));
  return out;
}

/** Writes one padded/truncated row of `maxlen` values into `out` at `offset`. */
export function padInto(
  seq: ArrayLike<number>,
  out: Int32Array,
  offset: number,
  maxlen: number,
  { padding = 'pre', truncating = 'pre', value = 0 }: PadOptions = {},
): void {
  if (!isPadSide(padding) || !isPadSide(truncating)) {
    throw new Error(
      `padSequences: padding and truncating must be 'pre' or 'post', got '${padding}' and '${truncating}'`,
    );
  }
  const kept = Math.min(seq.length, maxlen);
  const from = truncating === 'pre' ? seq.length - kept : 0;
  const to = padding === 'pre' ? offset + maxlen - kept : offset;
  out.fill(value, offset, offset + maxlen);
  for (let i = 0; i < kept; i++) out[to + i] = seq[from + i];
}

function isPadSide(side: string): side is PadSide {
  return side === 'pre' || side === 'post';
}

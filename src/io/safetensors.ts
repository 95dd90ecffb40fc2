import { shapeSize, type FloatArray, type Shape } from '../tensor/tensor.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header mapping each tensor name to {dtype, shape, data_offsets}, then the
 * raw little-endian data. gated writes F32 and reads F32 or F64.
 */
export interface NamedArray {
  readonly name: string;
  readonly shape: Shape;
  readonly data: FloatArray;
}

const DTYPE_BYTES = { F32: 4, F64: 8 } as const;
type SafetensorsDType = keyof typeof DTYPE_BYTES;
/** Guards against absurd headers before JSON.parse sees them. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {}

export function encodeSafetensors(
  tensors: readonly NamedArray[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.data.length !== shapeSize(t.shape))
      throw new SafetensorsError(`tensor ${t.name}: data does not match its shape`);
    if (Object.hasOwn(header, t.name))
      throw new SafetensorsError(`duplicate tensor name ${t.name}`);
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  // TextEncoder/TextDecoder rather than Buffer: this module also runs in browsers.
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

export interface DecodedSafetensors {
  readonly tensors: Map<string, { shape: number[]; data: Float32Array }>;
  readonly metadata: Record<string, string>;
}

/** Parses and validates a safetensors file; every inconsistency is a SafetensorsError. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8)
    throw new SafetensorsError(`file is ${bytes.length} bytes, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(bytes.length - 8, MAX_HEADER_BYTES))) {
    throw new SafetensorsError(
      `header length ${headerLength} is longer than the file (${bytes.length} bytes)`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart)));
  } catch {
    throw new SafetensorsError('header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header is not a JSON object');
  }
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry);
      continue;
    }
    const { dtype, shape, begin, end } = parseEntry(name, entry);
    const width = DTYPE_BYTES[dtype];
    if (end > dataLength)
      throw new SafetensorsError(`tensor ${name}: data runs past the end of the file (truncated?)`);
    if (end - begin !== shapeSize(shape) * width) {
      throw new SafetensorsError(
        `tensor ${name}: ${end - begin} bytes do not hold shape [${shape.join(', ')}] of ${dtype}`,
      );
    }
    const data = new Float32Array(shapeSize(shape));
    for (let i = 0, at = dataStart + begin; i < data.length; i++, at += width) {
      data[i] = dtype === 'F32' ? view.getFloat32(at, true) : view.getFloat64(at, true);
    }
    spans.push([begin, end, name]);
    tensors.set(name, { shape, data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1])
      throw new SafetensorsError(`tensors ${spans[i - 1][2]} and ${spans[i][2]} overlap`);
  }
  return { tensors, metadata };
}

function parseMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new SafetensorsError('__metadata__ is not an object');
  }
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw new SafetensorsError(`__metadata__.${k} is not a string`);
    out[k] = v;
  }
  return out;
}

function parseEntry(
  name: string,
  entry: unknown,
): { dtype: SafetensorsDType; shape: number[]; begin: number; end: number } {
  if (typeof entry !== 'object' || entry === null)
    throw new SafetensorsError(`tensor ${name}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (dtype !== 'F32' && dtype !== 'F64') {
    throw new SafetensorsError(
      `tensor ${name}: dtype ${String(dtype)} is not supported (F32 or F64)`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`tensor ${name}: shape is not a list of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new SafetensorsError(
      `tensor ${name}: data_offsets must be [begin, end] with begin ≤ end`,
    );
  }
  return {
    dtype,
    shape: shape as number[],
    begin: offsets[0] as number,
    end: offsets[1] as number,
  };
}

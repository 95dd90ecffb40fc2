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
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

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

interface TensorEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** A checked header: where the data starts, each tensor's span, and the metadata. */
export interface SafetensorsLayout {
  readonly dataStart: number;
  readonly entries: readonly TensorEntry[];
  readonly metadata: Record<string, string>;
}

/** The header length the first 8 bytes declare, checked against the file's length. */
export function safetensorsHeaderLength(first8: Uint8Array, fileLength: number): number {
  if (fileLength < 8 || first8.length < 8)
    throw new SafetensorsError(`file is ${fileLength} bytes, too short for a header`);
  const declared = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(
      `header length ${declared} is over the limit of ${MAX_HEADER_BYTES} bytes`,
    );
  if (declared > BigInt(fileLength - 8))
    throw new SafetensorsError(
      `header length ${declared} is longer than the file (${fileLength} bytes)`,
    );
  if (declared < 2n) throw new SafetensorsError(`header length ${declared} is too short`);
  return Number(declared);
}

/**
 * Parses the header (the bytes after the length) of a file of `fileLength` bytes and checks the
 * layout as the format specifies: the tensors tile the data section exactly, in some order, with
 * no gap, no overlap and no trailing byte, each span the size its dtype and shape give.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileLength: number,
): SafetensorsLayout {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw new SafetensorsError('header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header is not a JSON object');
  }
  const dataStart = 8 + headerBytes.length;
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') metadata = parseMetadata(entry);
    else entries.push(parseEntry(name, entry));
  }
  checkTiling(entries, fileLength - dataStart);
  return { dataStart, entries, metadata };
}

function checkTiling(entries: readonly TensorEntry[], dataLength: number): void {
  const spans = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const t of spans) {
    if (t.begin > covered)
      throw new SafetensorsError(
        `${t.begin - covered} unused bytes before tensor ${t.name} (a gap in the data)`,
      );
    if (t.begin < covered) throw new SafetensorsError(`tensors ${previous} and ${t.name} overlap`);
    if (t.end > dataLength)
      throw new SafetensorsError(
        `tensor ${t.name}: data runs past the end of the file (truncated?)`,
      );
    covered = t.end;
    previous = t.name;
  }
  if (covered !== dataLength)
    throw new SafetensorsError(
      `${dataLength - covered} bytes after the last tensor (the header declares ${covered} bytes of data)`,
    );
}

/** Parses and validates a safetensors file; every inconsistency is a SafetensorsError. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const headerLength = safetensorsHeaderLength(bytes, bytes.length);
  const { dataStart, entries, metadata } = parseSafetensorsHeader(
    bytes.subarray(8, 8 + headerLength),
    bytes.length,
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const { name, dtype, shape, begin } of entries) {
    const width = DTYPE_BYTES[dtype];
    const data = new Float32Array(shapeSize(shape));
    for (let i = 0, at = dataStart + begin; i < data.length; i++, at += width) {
      data[i] = dtype === 'F32' ? view.getFloat32(at, true) : view.getFloat64(at, true);
    }
    tensors.set(name, { shape, data });
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

function parseEntry(name: string, entry: unknown): TensorEntry {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
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
  const [begin, end] = offsets as [number, number];
  const width = DTYPE_BYTES[dtype];
  // Checked before shapeSize multiplies: a shape of huge dimensions must not overflow.
  const values = (shape as number[]).reduce((n, d) => n * d, 1);
  if (end - begin !== values * width)
    throw new SafetensorsError(
      `tensor ${name}: ${end - begin} bytes do not hold shape [${shape.join(', ')}] of ${dtype}`,
    );
  if (begin % width !== 0)
    throw new SafetensorsError(`tensor ${name}: offset ${begin} is not a multiple of ${width}`);
  return { name, dtype, shape: shape as number[], begin, end };
}

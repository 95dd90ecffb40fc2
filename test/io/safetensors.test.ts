import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
} from '../../src/io/safetensors.js';

function withHeader(header: unknown, dataBytes: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

test('safetensors round trip keeps names, shapes, values and metadata', () => {
  const bytes = encodeSafetensors(
    [
      { name: 'lstm/kernel', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-7, -1e6]) },
      { name: 'dense/bias', shape: [1], data: Float32Array.from([0.25]) },
    ],
    { format: 'pt' },
  );
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0, 'data starts 8-byte aligned');
  const decoded = decodeSafetensors(bytes);
  assert.deepEqual({ ...decoded.metadata }, { format: 'pt' });
  assert.deepEqual(decoded.tensors.get('lstm/kernel')?.shape, [2, 3]);
  assert.deepEqual(
    [...decoded.tensors.get('lstm/kernel')!.data],
    [1, -2, 3.5, 0, Math.fround(1e-7), -1e6],
  );
  assert.deepEqual([...decoded.tensors.get('dense/bias')!.data], [0.25]);
});

test('safetensors reads the layout other tools write (hand-built bytes, F64 too)', () => {
  const file = withHeader({ w: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, 16);
  const view = new DataView(file.buffer);
  view.setFloat64(file.length - 16, 1.5, true);
  view.setFloat64(file.length - 8, -2, true);
  assert.deepEqual([...decodeSafetensors(file).tensors.get('w')!.data], [1.5, -2]);
});

const malformed: [string, Uint8Array, RegExp][] = [
  ['empty file', new Uint8Array(3), /too short/],
  [
    'header longer than the file',
    (() => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setBigUint64(0, 1000n, true);
      return b;
    })(),
    /longer than the file/,
  ],
  [
    'header not JSON',
    (() => {
      const b = new Uint8Array(12);
      new DataView(b.buffer).setBigUint64(0, 4n, true);
      b.set(Buffer.from('{{{{'), 8);
      return b;
    })(),
    /not valid JSON/,
  ],
  ['header is an array', withHeader([1, 2], 0), /not a JSON object/],
  [
    'unsupported dtype',
    withHeader({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8),
    /not supported/,
  ],
  ['bad shape', withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /shape/],
  [
    'offsets reversed',
    withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4),
    /data_offsets/,
  ],
  [
    'truncated data',
    withHeader({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8),
    /past the end/,
  ],
  [
    'size does not match shape',
    withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8),
    /do not hold/,
  ],
  [
    'overlapping tensors',
    withHeader(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      },
      12,
    ),
    /overlap/,
  ],
  ['metadata not strings', withHeader({ __metadata__: { a: 1 } }, 0), /not a string/],
  // The format's rule: the tensors tile the data section exactly.
  [
    'a gap between tensors',
    withHeader(
      {
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      },
      12,
    ),
    /4 unused bytes before tensor b \(a gap in the data\)/,
  ],
  [
    'trailing bytes',
    withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 7),
    /3 bytes after the last tensor/,
  ],
  [
    'an offset not a multiple of the dtype',
    withHeader(
      {
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F64', shape: [1], data_offsets: [4, 12] },
      },
      12,
    ),
    /offset 4 is not a multiple of 8/,
  ],
  [
    'a header length over the limit',
    (() => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setBigUint64(0, 200n * 1024n * 1024n, true);
      return b;
    })(),
    /header length 209715200 is over the limit/,
  ],
];

test('a header length 4 bytes short (every tensor shifted by one float) is refused', () => {
  // The JSON ends in padding spaces, so the shorter header still parses: only the tiling check
  // sees that 4 more bytes than the tensors cover now sit before the data.
  const json = Buffer.from(
    JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }) + '    ',
  );
  const file = new Uint8Array(8 + json.length + 8);
  new DataView(file.buffer).setBigUint64(0, BigInt(json.length - 4), true);
  file.set(json, 8);
  assert.throws(() => decodeSafetensors(file), /4 bytes after the last tensor/);
});

test('a zero-size tensor beside others is no overlap', () => {
  const bytes = withHeader(
    {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      empty: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
    },
    8,
  );
  assert.deepEqual(decodeSafetensors(bytes).tensors.get('empty')?.shape, [0]);
});

for (const [what, bytes, message] of malformed) {
  test(`safetensors rejects a malformed file: ${what}`, () => {
    assert.throws(
      () => decodeSafetensors(bytes),
      (err: unknown) => err instanceof SafetensorsError && message.test((err as Error).message),
    );
  });
}

test('a __proto__ tensor name is data, not a prototype', () => {
  const bytes = withHeader(
    JSON.parse('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'),
    4,
  );
  const decoded = decodeSafetensors(bytes);
  assert.deepEqual(decoded.tensors.get('__proto__')?.shape, [1]);
  assert.equal(({} as Record<string, unknown>).dtype, undefined);
});

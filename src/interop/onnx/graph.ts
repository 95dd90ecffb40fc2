import { AttributeType, DataType } from './proto.js';

export type AttributeValue = number | string | number[] | string[] | { float: number };

interface Node {
  opType: string;
  input: string[];
  output: string[];
  name: string;
  attribute: Record<string, unknown>[];
}

/** Attributes by value: integers → INT(S), { float } and float lists → FLOAT(S), text → STRING(S). */
function attribute(name: string, value: AttributeValue, floats: boolean): Record<string, unknown> {
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (!Array.isArray(value)) return { name, type: AttributeType.FLOAT, f: value.float };
  if (value.every((v) => typeof v === 'string')) {
    return {
      name,
      type: AttributeType.STRINGS,
      strings: (value as string[]).map((v) => new TextEncoder().encode(v)),
    };
  }
  return floats
    ? { name, type: AttributeType.FLOATS, floats: value }
    : { name, type: AttributeType.INTS, ints: value };
}

/** Attributes named here hold float lists (everything else numeric is an integer). */
const FLOAT_LISTS = new Set(['activation_alpha', 'activation_beta']);

/** Builds an ONNX graph: nodes in order, constant tensors as initializers, fresh value names. */
export class OnnxGraph {
  readonly nodes: Node[] = [];
  readonly initializers: Record<string, unknown>[] = [];
  private count = 0;

  /** A new value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${++this.count}`;
  }

  /** Adds a node; returns its output names (`outputs` of them, named after the op). */
  node(
    opType: string,
    input: string[],
    attributes: Record<string, AttributeValue> = {},
    outputs = 1,
  ): string[] {
    const output = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      opType,
      input,
      output,
      name: this.fresh(`${opType}_node`),
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v, FLOAT_LISTS.has(k))),
    });
    return output;
  }

  /** A node with one output. */
  op(opType: string, input: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, input, attributes)[0];
  }

  floats(prefix: string, dims: readonly number[], data: ArrayLike<number>): string {
    const values = Float32Array.from(data);
    return this.tensor(prefix, dims, DataType.FLOAT, new Uint8Array(values.buffer));
  }

  ints(prefix: string, dims: readonly number[], data: readonly number[]): string {
    const values = BigInt64Array.from(data.map((v) => BigInt(v)));
    return this.tensor(prefix, dims, DataType.INT64, new Uint8Array(values.buffer));
  }

  private tensor(prefix: string, dims: readonly number[], dataType: number, raw: Uint8Array) {
    const name = this.fresh(prefix);
    // rawData is little-endian, as every platform gated runs on stores typed arrays.
    this.initializers.push({ name, dims: [...dims], dataType, rawData: raw });
    return name;
  }
}

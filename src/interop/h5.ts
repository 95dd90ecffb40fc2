import h5wasm from 'h5wasm';
import { ModelFileError } from '../io/model-json.js';

// HDF5 through h5wasm (the HDF5 C library compiled to wasm, same build in Node and the browser).
// h5wasm opens files by name in its in-memory file system, so bytes are written there under a
// fresh name, used, and removed again: nothing touches the host's disk.

/** An in-memory HDF5 file's float datasets, addressed by path ('layers/lstm/cell/vars/0'). */
export interface H5Reader {
  /** Names of the members of the group at path, or null when there is no such group. */
  groupKeys(path: string): string[] | null;
  /** The dataset at path as float32 with its shape, or null when there is none. */
  dataset(path: string): { shape: number[]; data: Float32Array } | null;
}

export interface H5Dataset {
  path: string;
  shape: readonly number[];
  data: Float32Array;
}

let counter = 0;
let quieted = false;

async function fileSystem() {
  const { FS } = await h5wasm.ready;
  if (!quieted) {
    // The HDF5 library prints a diagnostic stack to stderr for every failed call (a damaged
    // file is an error gated reports in one line itself): point its file descriptor 2 at
    // /dev/null. The emscripten file system hands out the lowest free descriptor.
    const { streams } = FS as unknown as { streams: Parameters<typeof FS.close>[0][] };
    FS.close(streams[2]);
    FS.open('/dev/null', 'w');
    quieted = true;
  }
  return FS;
}

function isHdf5(bytes: Uint8Array): boolean {
  const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= 8 && signature.every((b, i) => bytes[i] === b);
}

/** Opens HDF5 bytes, runs use() on them and closes the file again, whatever happens. */
export async function withH5<T>(
  bytes: Uint8Array,
  where: string,
  use: (reader: H5Reader) => T,
): Promise<T> {
  if (!isHdf5(bytes)) throw new ModelFileError(`${where}: not an HDF5 file`);
  const FS = await fileSystem();
  const name = `/gated-read-${++counter}.h5`;
  FS.writeFile(name, bytes);
  let file: InstanceType<typeof h5wasm.File> | null = null;
  try {
    try {
      file = new h5wasm.File(name, 'r');
    } catch {
      throw new ModelFileError(`${where}: cannot be opened as HDF5 (damaged or truncated)`);
    }
    const f = file;
    /** h5wasm throws plain Errors on damaged files: report them as the file's problem. */
    const guard = <R>(path: string, read: () => R): R => {
      try {
        return read();
      } catch (err) {
        if (err instanceof ModelFileError) throw err;
        throw new ModelFileError(`${where}: cannot read ${path} (damaged or truncated file)`);
      }
    };
    return use({
      groupKeys: (path) =>
        guard(path, () => {
          const entity = f.get(path);
          return entity instanceof h5wasm.Group ? entity.keys() : null;
        }),
      dataset: (path) =>
        guard(path, () => {
          const entity = f.get(path);
          if (!(entity instanceof h5wasm.Dataset)) return null;
          const value = entity.value;
          if (!(value instanceof Float32Array || value instanceof Float64Array)) {
            throw new ModelFileError(`${where}: ${path} holds ${entity.dtype} values, not floats`);
          }
          return { shape: (entity.shape ?? []).map(Number), data: Float32Array.from(value) };
        }),
    });
  } finally {
    file?.close();
    FS.unlink(name);
  }
}

/**
 * Writes float32 datasets (and the groups on their paths, each with the given string
 * attributes) into a new HDF5 file and returns its bytes.
 */
export async function writeH5(
  datasets: readonly H5Dataset[],
  groupAttributes: ReadonlyMap<string, Record<string, string>>,
  groups: readonly string[] = [],
): Promise<Uint8Array> {
  const FS = await fileSystem();
  const name = `/gated-write-${++counter}.h5`;
  const file = new h5wasm.File(name, 'w');
  try {
    const made = new Set<string>();
    const ensureGroup = (path: string): void => {
      if (path === '' || made.has(path)) return;
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      ensureGroup(parent);
      file.create_group(path);
      made.add(path);
    };
    for (const g of groups) ensureGroup(g);
    for (const d of datasets) {
      ensureGroup(d.path.slice(0, d.path.lastIndexOf('/')));
      file.create_dataset({ name: d.path, data: d.data, shape: [...d.shape], dtype: '<f' });
    }
    for (const [path, attrs] of groupAttributes) {
      ensureGroup(path);
      const target = path === '' ? file : file.get(path);
      if (!(target instanceof h5wasm.Group)) throw new Error(`HDF5: ${path} is not a group`);
      for (const [key, value] of Object.entries(attrs)) target.create_attribute(key, value);
    }
    file.flush();
  } finally {
    file.close();
  }
  try {
    return FS.readFile(name);
  } finally {
    FS.unlink(name);
  }
}

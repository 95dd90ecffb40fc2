import { unzipSync, zipSync } from 'fflate';
import { ModelFileError } from '../io/model-json.js';

// Zip archives (.keras files) through fflate. Untrusted archives are checked before anything is
// inflated: only the named entries are read, and each one's declared size is capped.

/** Entries of an archive by name; `limits` gives the largest size accepted for each wanted name. */
export function readZipEntries(
  bytes: Uint8Array,
  where: string,
  limits: Readonly<Record<string, number>>,
): Map<string, Uint8Array> {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!isZip) throw new ModelFileError(`${where}: not a zip archive (a .keras file is one)`);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (!Object.hasOwn(limits, file.name)) return false;
        if (file.originalSize > limits[file.name]) {
          throw new ModelFileError(
            `${where}: ${file.name} declares ${file.originalSize} bytes, more than the ${limits[file.name]} accepted`,
          );
        }
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(
      `${where}: damaged or truncated zip archive (${(err as Error).message})`,
    );
  }
  const found = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) {
    if (data.length > limits[name]) {
      throw new ModelFileError(
        `${where}: ${name} is larger than the ${limits[name]} bytes accepted`,
      );
    }
    found.set(name, data);
  }
  return found;
}

/** A zip archive of the given entries, in order (stored uncompressed when that is smaller). */
export function writeZip(entries: ReadonlyArray<[string, Uint8Array]>): Uint8Array {
  // A fixed date keeps the archive's bytes a function of its contents alone.
  const mtime = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
  return zipSync(Object.fromEntries(entries.map(([name, data]) => [name, [data, { mtime }]])), {
    level: 6,
  });
}

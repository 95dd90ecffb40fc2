import { readFile } from 'node:fs/promises';
import type { Backend } from '../../backend/backend.js';
import { ModelFileError } from '../../io/model-json.js';
import { importKerasBytes, type ImportedKeras } from './import.js';

/** importKerasBytes for a path or bytes (Node); the browser build has importKerasBytes itself. */
export async function importKeras(
  source: string | Uint8Array,
  backend?: Backend,
): Promise<ImportedKeras> {
  if (typeof source !== 'string') return importKerasBytes(source, 'model.keras', backend);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch (err) {
    throw new ModelFileError(
      `${source}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return importKerasBytes(bytes, source, backend);
}

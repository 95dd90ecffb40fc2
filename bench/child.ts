/**
 * One benchmark configuration in its own process, so its peak RSS is its own:
 *   node dist/bench/child.js <gemm|model> <backend> <quick|full> [architecture] [imdb]
 * with GATED_THREADS set by the parent (architecture: the model's encoder, default lstm; imdb:
 * the IMDB archive to take the batches from instead of synthetic ones). Prints one JSON line on
 * stdout.
 */
import { createBackend } from '../src/backend/registry.js';
import { ARCHITECTURES, type Architecture } from '../src/experiments/architectures.js';
import { benchGemms } from './gemm-ops.js';
import { imdbBatches } from './imdb-batches.js';
import { benchModel } from './model-timing.js';
import { FULL, QUICK } from './plans.js';

const [mode, backendName, speed, architecture = 'lstm', imdb] = process.argv.slice(2);
if (!(ARCHITECTURES as readonly string[]).includes(architecture)) {
  throw new Error(`unknown architecture '${architecture}' (${ARCHITECTURES.join(', ')})`);
}
const plans = speed === 'quick' ? QUICK : FULL;
const backend = createBackend(backendName);
const result =
  mode === 'gemm'
    ? { ops: benchGemms(backend, plans.gemm) }
    : benchModel(
        backend,
        plans,
        architecture as Architecture,
        imdb === undefined ? undefined : await imdbBatches(backend, imdb, 8),
      );
const usage = process.resourceUsage();
// A backend that manages threads may say how many it runs; others are single-threaded.
const threads = (backend as { threads?: unknown }).threads;
process.stdout.write(
  JSON.stringify({
    ...result,
    backend: backend.name,
    dtype: backend.dtype,
    threadsReported: typeof threads === 'number' ? threads : null,
    peakRssMiB: Math.round(usage.maxRSS / 1024),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  }) + '\n',
);

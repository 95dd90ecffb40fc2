import { Command } from 'commander';
import { BACKEND_NAMES } from '../../backend/registry.js';
import { oneOf, positiveInt } from '../parsers.js';
import { backendFromOptions, requireNativeIfAsked } from '../run-options.js';
import { terminal } from '../terminal.js';

/** What `gated train` would compute on: backend, kernel variant, threads. */
export function infoCommand(): Command {
  return new Command('info')
    .description('show the compute backend gated would use, its kernels and threads')
    .option(
      '--backend <name>',
      `compute backend: ${BACKEND_NAMES.join(', ')}`,
      oneOf(BACKEND_NAMES),
    )
    .option('--threads <n>', 'threads of the native and wasm backends', positiveInt)
    .action((o) => {
      // Elsewhere a missing addon falls back with a notice; here the question is what runs.
      requireNativeIfAsked(o);
      const backend = backendFromOptions(o);
      // The fast backends (native, wasm) say which kernels run and on how many threads.
      const fast = backend as Partial<{ variant: string; threads: number }>;
      terminal.log(`backend: ${backend.name}`);
      terminal.log(`kernels: ${fast.variant ?? 'TypeScript loops'}`);
      terminal.log(`threads: ${fast.threads ?? 1}`);
    });
}

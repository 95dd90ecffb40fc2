import { Command } from 'commander';
import { BACKEND_NAMES, createBackend } from '../../backend/registry.js';
import { oneOf, positiveInt } from '../parsers.js';
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
      const backend = createBackend(o.backend ?? (process.env.GATED_BACKEND || BACKEND_NAMES[0]), {
        threads: o.threads,
      });
      // The fast backends (native, wasm) say which kernels run and on how many threads.
      const fast = backend as Partial<{ variant: string; threads: number }>;
      terminal.log(`backend: ${backend.name}`);
      terminal.log(`kernels: ${fast.variant ?? 'TypeScript loops'}`);
      terminal.log(`threads: ${fast.threads ?? 1}`);
    });
}

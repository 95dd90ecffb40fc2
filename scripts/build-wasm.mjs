/* global process, console */
// Compiles the AssemblyScript kernels (assembly/) into the four builds of asconfig.json:
// relaxed SIMD or plain SIMD, each on shared memory (threads) or private memory, after writing
// the kernel codes they share with the host (assembly/codes.ts). The builds run in parallel; any
// failure fails the build.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeKernelCodes } from './kernel-codes.mjs';

const constant = (name, value) => `export const ${name}: i32 = ${value};`;
writeKernelCodes('assembly/codes.ts', ['activations', 'cells', 'tasks'], constant);

const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
const targets = ['relaxed-mt', 'simd-mt', 'relaxed', 'simd'];
const results = await Promise.all(
  targets.map(
    (target) =>
      new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [asc, '--config', 'asconfig.json', '--target', target],
          {
            stdio: 'inherit',
          },
        );
        child.on('exit', (code) => resolve({ target, code }));
      }),
  ),
);
const failed = results.filter((r) => r.code !== 0).map((r) => r.target);
if (failed.length > 0) {
  console.error(`build-wasm: failed: ${failed.join(', ')}`);
  process.exit(1);
}

import { execFile } from 'node:child_process';
import { contention, cpuTimes } from './machine.js';

export interface Measured<T> {
  readonly result: T;
  /** Other work on the machine while this process ran (see machine.ts). */
  readonly contention: ReturnType<typeof contention>;
}

/**
 * Runs a benchmark process that prints one JSON line (with its own `cpuSeconds`) as its last
 * stdout line, and measures the contention around it.
 */
export function runJsonProcess<T extends { cpuSeconds: number }>(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Measured<T>> {
  const start = cpuTimes();
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const end = cpuTimes();
      if (error) {
        const lines = stderr.trim().split('\n');
        const cause = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines[lines.length - 1];
        reject(new Error(cause || error.message.split('\n')[0]));
        return;
      }
      const lines = stdout.trim().split('\n');
      try {
        const result = JSON.parse(lines[lines.length - 1]) as T;
        resolve({ result, contention: contention(start, end, result.cpuSeconds) });
      } catch {
        reject(new Error(`no JSON result from ${command}: ${stdout.slice(-200)}`));
      }
    });
  });
}

/** Runs the built `gated` CLI as a child process: to completion, or for tests that signal or kill it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** Runs `gated ARGS` to its end (at most 2 minutes) and returns its exit code and output. */
export function runGatedSync(
  args: string[],
  env: NodeJS.ProcessEnv,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Child {
  readonly process: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches (rejects if the child exits first). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** The exit code, or the signal's name. */
  exited: Promise<number | string>;
}

export function startGated(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (d) => {
    out += d;
    wake();
  });
  child.stderr.on('data', (d) => (err += d));
  let status: number | string | null = null;
  // 'close', not 'exit': by then all of stdout has been read.
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => {
      status = code ?? signal ?? 'unknown';
      resolve(status);
      wake();
    }),
  );
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = out.match(pattern);
        if (m) resolve(m);
        else if (status !== null)
          reject(new Error(`the child exited before printing ${pattern}:\n${out}\n${err}`));
        else waiters.push(check);
      };
      check();
    });
  return { process: child, stdout: () => out, stderr: () => err, waitFor, exited };
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonProcess, type Measured } from './measure.js';
import type { PeerRun } from './peer.js';
import { peerPlans } from './plans.js';

/** The peer's own virtual environment, outside the repository: created on first use. */
export const KERAS_VENV =
  process.env.GATED_KERAS_VENV ?? join(homedir(), '.cache', 'gated', 'keras-venv');
/** The interpreter that creates it (any Python 3 with venv and pip: TensorFlow's wheels pick). */
const BASE_PYTHON = process.env.GATED_KERAS_PYTHON ?? 'python3';
/** What the reference experiment ran on: TensorFlow's CPU wheel and Keras 3. */
export const KERAS_PACKAGES = ['tensorflow-cpu==2.21.0', 'keras'];
/** Downloading TensorFlow (~250 MB) on a slow link: longer than this is a failure, not a wait. */
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const SCRIPT = fileURLToPath(new URL('../../bench/keras_model.py', import.meta.url));
const PROBE =
  'import keras, tensorflow as tf; print(f"keras {keras.__version__} / tensorflow {tf.__version__}")';

export const KERAS_INSTALL_HINT =
  `${BASE_PYTHON} -m venv ${KERAS_VENV} && ${KERAS_VENV}/bin/pip install ${KERAS_PACKAGES.join(' ')}  ` +
  '(the bench does this itself on first use; GATED_KERAS_VENV and GATED_KERAS_PYTHON override the paths)';

export interface KerasRun extends PeerRun {
  version: string;
  architecture: string;
}

/** Runs a command with its output on our stderr (pip's progress); the failure as a sentence. */
function step(what: string, command: string, args: string[], timeout: number): string | null {
  const run = spawnSync(command, args, { stdio: ['ignore', 2, 2], timeout });
  if (run.error) return `${what}: ${run.error.message}`;
  if (run.signal) return `${what}: stopped by ${run.signal} (timeout ${timeout / 60_000} min?)`;
  return run.status === 0 ? null : `${what}: exit status ${run.status}`;
}

/** The index URL of the user's pip configuration (`pip config`), or null: pip's default. */
function configuredIndexUrl(python: string): string | null {
  const probe = spawnSync(python, ['-m', 'pip', 'config', 'get', 'global.index-url'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const url = probe.status === 0 ? probe.stdout.trim() : '';
  return url === '' ? null : url;
}

function kerasVersion(python: string): string | null {
  const probe = spawnSync(python, ['-c', PROBE], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return probe.status === 0 ? probe.stdout.trim().split('\n').pop()! : null;
}

/**
 * The virtual environment's python with Keras and TensorFlow importable, creating the
 * environment and installing them on first use. Throws the reason when it cannot (no Python or
 * venv, no network, no wheel for this Python): the caller skips the peer with it.
 */
export function kerasPython(log: (line: string) => void): { python: string; version: string } {
  const python = join(KERAS_VENV, 'bin', 'python');
  const ready = existsSync(python) ? kerasVersion(python) : null;
  if (ready !== null) return { python, version: ready };
  log(`Keras/TF: setting up ${KERAS_VENV} (first use: downloads TensorFlow, a few minutes)…`);
  const fail = (reason: string): never => {
    throw new Error(`${reason}; to compare with Keras, make this work: ${KERAS_INSTALL_HINT}`);
  };
  if (!existsSync(python)) {
    const error = step(
      'creating the virtual environment',
      BASE_PYTHON,
      ['-m', 'venv', KERAS_VENV],
      300_000,
    );
    if (error) fail(error);
  }
  const index = configuredIndexUrl(python);
  const args = [
    '-m',
    'pip',
    'install',
    ...(index ? ['--index-url', index] : []),
    ...KERAS_PACKAGES,
  ];
  const error = step('pip install', python, args, INSTALL_TIMEOUT_MS);
  if (error) fail(error);
  const version = kerasVersion(python);
  if (version === null) fail(`Keras or TensorFlow does not import in ${KERAS_VENV}`);
  return { python, version: version as string };
}

/** One configuration of the peer in its own process: the seed model with `architecture`. */
export function runKeras(
  python: string,
  threads: number,
  quick: boolean,
  architecture: string,
): Promise<Measured<KerasRun>> {
  const args = [SCRIPT, '--threads', String(threads), '--plans', peerPlans(quick)];
  const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
  return runJsonProcess<KerasRun>(python, [...args, '--architecture', architecture], env);
}

/* global process */
// The README's test command after the build: every built test file under Node's test runner, two
// files at a time, with a timeout per test and per file, so a hang fails in minutes naming its
// file instead of eating CI's limit. Extra arguments (e.g. reporters) go to `node --test`.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Per test and per file: ten times the slowest file on an idle 2-core machine. */
const TIMEOUT_MS = 600_000;

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const files = testFiles('dist/test').sort();
const args = ['--test', '--test-concurrency=2', `--test-timeout=${TIMEOUT_MS}`];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { isEnsembleDir } from '../../io/model-dir.js';
import { DEFAULT_LIMITS } from '../../server/limits.js';
import { loadPredictor } from '../../server/classifier-predictor.js';
import { PredictionServer } from '../../server/server.js';
import { webModels } from '../../server/web.js';
import { loadModel } from '../../io/model-dir.js';
import { nonNegativeInt, positiveInt } from '../parsers.js';
import { addRunOptions, backendFromOptions } from '../run-options.js';
import { terminal } from '../terminal.js';

interface ServeFlags {
  port: number;
  host: string;
  apiKey?: string;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  maxBodyBytes: number;
  maxTexts: number;
  maxChars: number;
  timeoutMs: number;
  web: boolean;
  backend?: string;
  threads?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function version(): string {
  const url = new URL('../../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('serve a trained model over HTTP: JSON API, metrics and the web page')
    .argument(
      '<dirs...>',
      'run directories written by `gated train`, or an ensemble (the API serves the first; the page switches between all)',
    )
    .addOption(
      new Option('--port <n>', 'port (0: any free one)').argParser(nonNegativeInt).default(8080),
    )
    .option(
      '--host <address>',
      'address to listen on (loopback unless you say otherwise)',
      '127.0.0.1',
    )
    .addOption(
      new Option(
        '--api-key <token>',
        'require "Authorization: Bearer <token>" on /v1/* and /metrics',
      ).env('GATED_API_KEY'),
    )
    .addOption(
      new Option('--max-batch <n>', 'most inputs in one forward pass')
        .argParser(positiveInt)
        .default(64),
    )
    .addOption(
      new Option('--max-wait-ms <n>', 'how long a request waits for others to batch with')
        .argParser(nonNegativeInt)
        .default(2),
    )
    .addOption(
      new Option('--max-queue <n>', 'most inputs waiting (beyond: 429 with Retry-After)')
        .argParser(positiveInt)
        .default(1024),
    )
    .addOption(
      new Option('--max-body-bytes <n>', 'largest request body')
        .argParser(positiveInt)
        .default(DEFAULT_LIMITS.maxBodyBytes),
    )
    .addOption(
      new Option('--max-texts <n>', 'most texts (or id sequences) per request')
        .argParser(positiveInt)
        .default(DEFAULT_LIMITS.maxTexts),
    )
    .addOption(
      new Option('--max-chars <n>', 'most characters per text (and ids per sequence)')
        .argParser(positiveInt)
        .default(DEFAULT_LIMITS.maxChars),
    )
    .addOption(
      new Option('--timeout-ms <n>', 'time a request may take (beyond: 503)')
        .argParser(positiveInt)
        .default(DEFAULT_LIMITS.timeoutMs),
    )
    .option('--no-web', 'do not serve the web page and the model files');
  return addRunOptions(command, ['backend', 'threads']).action(
    async (dirs: string[], o: ServeFlags) => {
      const [dir, ...others] = dirs;
      if (!LOOPBACK.has(o.host) && o.apiKey === undefined)
        process.stderr.write(
          `gated: serving on ${o.host} without --api-key: anyone who reaches it can use it\n`,
        );
      // The page runs single models in the browser; an ensemble is served over the API only.
      const ensembles = (await Promise.all(dirs.map(isEnsembleDir))).some(Boolean);
      const web = o.web && !ensembles;
      if (o.web && !web)
        terminal.log(
          'an ensemble is among the models: serving the API only (the web page runs single models)',
        );
      const server = new PredictionServer({
        limits: {
          maxBodyBytes: o.maxBodyBytes,
          maxTexts: o.maxTexts,
          maxChars: o.maxChars,
          timeoutMs: o.timeoutMs,
        },
        batching: { maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs, maxQueue: o.maxQueue },
        ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
        ...(web ? { webModels: webModels(dirs) } : {}),
        version: version(),
      });
      const url = await server.listen(o.port, o.host);
      let stopping: Promise<void> | null = null;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          // A second signal: stop now.
          process.exit(130);
        }
        terminal.log(`${signal}: finishing the requests in flight`);
        stopping = server.close().then(
          () => terminal.log('stopped'),
          (err: Error) => {
            process.stderr.write(`gated: stopping the server: ${err.message}\n`);
            process.exitCode = 1;
          },
        );
      };
      process.on('SIGTERM', stop).on('SIGINT', stop);
      try {
        const chosen = backendFromOptions(o);
        const predictor = await loadPredictor(dir, chosen);
        // The page's other models are checked now, not when a browser asks for them.
        if (o.web) for (const other of others) await loadModel(other, chosen);
        server.setPredictor(predictor);
        const { architecture, backend, threads } = predictor.facts;
        terminal.log(`Model: ${architecture.join(' → ')} on ${backend}, ${threads} thread(s)`);
      } catch (err) {
        await server.close();
        throw err;
      }
      // Tests and scripts wait for this line: the model is loaded and requests are answered.
      terminal.log(
        `Serving ${dir} at ${url} (POST ${url}v1/predict, API docs ${url}openapi.json${web ? `, page ${url}${others.length > 0 ? ` with ${dirs.length} models` : ''}` : ''})`,
      );
    },
  );
}

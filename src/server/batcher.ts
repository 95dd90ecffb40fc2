/**
 * Micro-batching: requests submitted while the model is busy or within `maxWaitMs` of each other
 * are gathered into one forward pass of at most `maxBatch` inputs (a request is never split, so a
 * single request larger than maxBatch runs alone). The forward pass is synchronous, so while it
 * runs new requests wait in the socket buffers and join the next batch.
 */
import { EventEmitter } from 'node:events';
import type { Prediction } from './predictor.js';

export interface BatchingOptions {
  /** Most inputs in one forward pass. */
  readonly maxBatch: number;
  /** How long the first queued input waits for others before its batch runs. */
  readonly maxWaitMs: number;
  /** Most inputs waiting; a request that would exceed it is refused (QueueFullError). */
  readonly maxQueue: number;
}

export class QueueFullError extends Error {}
export class QueueTimeoutError extends Error {}

interface Job {
  readonly inputs: readonly ArrayLike<number>[];
  resolve(predictions: Prediction[]): void;
  reject(err: Error): void;
  done(): void;
}

type PredictBatch = (inputs: readonly ArrayLike<number>[]) => Prediction[];

/** Events: 'queued' after a request joins the queue, 'batch' after each forward pass. */
export class Batcher extends EventEmitter<{
  queued: [depth: number];
  batch: [size: number, seconds: number];
}> {
  private readonly queue: Job[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private draining = false;

  constructor(
    private readonly predict: PredictBatch,
    readonly options: BatchingOptions,
  ) {
    super();
  }

  /** Inputs waiting for a forward pass. */
  get depth(): number {
    return this.queued;
  }

  /**
   * Queues `inputs` for the next forward pass. Rejects with QueueFullError at once when the
   * queue has no room, and with QueueTimeoutError if `signal` aborts before the pass starts.
   */
  submit(inputs: readonly ArrayLike<number>[], signal: AbortSignal): Promise<Prediction[]> {
    if (this.queued + inputs.length > this.options.maxQueue)
      return Promise.reject(
        new QueueFullError(`the queue is full (${this.options.maxQueue} inputs)`),
      );
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.queue.indexOf(job);
        if (at < 0) return;
        this.queue.splice(at, 1);
        this.queued -= inputs.length;
        if (this.queue.length === 0) this.cancelTimer();
        reject(new QueueTimeoutError('the request timed out waiting for the model'));
      };
      const job: Job = {
        inputs,
        resolve,
        reject,
        done: () => signal.removeEventListener('abort', onAbort),
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.queued += inputs.length;
      this.emit('queued', this.queued);
      this.schedule(false);
    });
  }

  /** From now on every queued input runs without waiting (shutdown: finish what is in flight). */
  drain(): void {
    this.draining = true;
    this.schedule(true);
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(now: boolean): void {
    if (this.queue.length === 0 || this.immediate) return;
    // maxWaitMs 0: the next turn of the event loop, not a timer (a 0 ms timer waits ≥ 1 ms).
    if (
      now ||
      this.draining ||
      this.queued >= this.options.maxBatch ||
      this.options.maxWaitMs === 0
    ) {
      this.cancelTimer();
      this.immediate = setImmediate(() => this.runBatch());
    } else {
      this.timer ??= setTimeout(() => this.runBatch(), this.options.maxWaitMs);
    }
  }

  private runBatch(): void {
    this.cancelTimer();
    this.immediate = null;
    const jobs: Job[] = [];
    let size = 0;
    while (
      this.queue.length > 0 &&
      (size === 0 || size + this.queue[0].inputs.length <= this.options.maxBatch)
    ) {
      const job = this.queue.shift()!;
      jobs.push(job);
      size += job.inputs.length;
    }
    this.queued -= size;
    const started = process.hrtime.bigint();
    try {
      const predictions = this.predict(jobs.flatMap((j) => j.inputs));
      let at = 0;
      for (const job of jobs) {
        job.done();
        job.resolve(predictions.slice(at, (at += job.inputs.length)));
      }
    } catch (err) {
      for (const job of jobs) {
        job.done();
        job.reject(err as Error);
      }
    }
    this.emit('batch', size, Number(process.hrtime.bigint() - started) / 1e9);
    // Whatever is left has waited through this pass already: it runs next, without a timer.
    this.schedule(true);
  }
}

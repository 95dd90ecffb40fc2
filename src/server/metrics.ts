/** Prometheus metrics of one server (its own registry, so servers in one process do not mix). */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Batcher } from './batcher.js';

export interface ServerMetrics {
  readonly registry: Registry;
  /** Records one answered request. */
  request(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(batcher: Batcher): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'gated_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'gated_http_request_duration_seconds',
    help: 'Time from request to response, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'gated_batch_size',
    help: 'Inputs per forward pass',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'gated_batch_duration_seconds',
    help: 'Time of one forward pass',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'gated_queue_depth',
    help: 'Inputs waiting for a forward pass',
    registers: [registry],
    collect() {
      this.set(batcher.depth);
    },
  });
  batcher.on('batch', (size, seconds) => {
    batchSize.observe(size);
    batchSeconds.observe(seconds);
  });
  return {
    registry,
    request(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ route }, seconds);
    },
  };
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway so that several
 * gateways in one process (tests, embedding) keep separate counts. `GET /metrics` renders it.
 */

/** What an answer on a model route came to. */
export type AnswerOutcome = 'sealed' | 'unsealed' | 'failed';

/** The gateway's metrics. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts a finished request by canonical route (or `other`) and status. */
  request(route: string, status: number): void;
  /** Counts a model-route answer by outcome. */
  answer(outcome: AnswerOutcome): void;
  /** Observes the time one seal took, in seconds. */
  sealSeconds(seconds: number): void;
  /** Observes the time the upstream took to answer with its head, in seconds. */
  upstreamSeconds(seconds: number): void;
  /** A stream started (+1) or ended (-1). */
  streams(delta: 1 | -1): void;
  /** The metrics in Prometheus text format. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Creates the gateway's metrics. `logQueueDepth` is read at each scrape (undefined: no log). */
export function createGatewayMetrics(logQueueDepth?: () => number | undefined): GatewayMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'signet_gateway_requests_total',
    help: 'Requests answered, by canonical route and HTTP status.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const answers = new Counter({
    name: 'signet_gateway_answers_total',
    help: 'Model-route answers: sealed, unsealed (marked and recorded), or failed (no upstream answer).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const o of ['sealed', 'unsealed', 'failed']) answers.inc({ outcome: o }, 0);
  const seal = new Histogram({
    name: 'signet_gateway_seal_seconds',
    help: 'Time to seal one whole answer.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  const upstream = new Histogram({
    name: 'signet_gateway_upstream_seconds',
    help: "Time until the upstream's response head arrived.",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const active = new Gauge({ name: 'signet_gateway_active_streams', help: 'Streams being sealed now.', registers: [registry] });
  new Gauge({
    name: 'signet_gateway_log_queue_depth',
    help: 'Envelopes waiting for the transparency log (0 without a log).',
    registers: [registry],
    collect() {
      this.set(logQueueDepth?.() ?? 0);
    },
  });
  // Label children cached: hashing a label set on every request is measurable at proxy speeds.
  const children = new Map<string, ReturnType<typeof requests.labels>>();
  return {
    registry,
    request: (route, status) => {
      const key = `${status} ${route}`;
      let child = children.get(key);
      if (child === undefined) {
        child = requests.labels(route, String(status));
        // Routes are canonical allowlisted paths or "other": the set is small, but bound it anyway.
        if (children.size < 1024) children.set(key, child);
      }
      child.inc();
    },
    answer: (outcome) => answers.inc({ outcome }),
    sealSeconds: (s) => seal.observe(s),
    upstreamSeconds: (s) => upstream.observe(s),
    streams: (d) => active.inc(d),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** One request shape the load generator cycles through. */
export interface LoadRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** A label for the soak's per-kind counts. */
  tag?: string;
}

export interface LoadJob {
  url: string;
  connections: number;
  /** Seconds; or `amount` requests in total. */
  duration?: number;
  amount?: number;
  requests: LoadRequest[];
  /** 'data': a response counts as failed unless it has data and no errors (benchmark queries). */
  verify: 'data' | 'none';
  /** Inspect every response: status counts, 5xx times, unmasked errors, created order ids (soak). */
  inspect?: boolean;
  /** Per-request timeout, seconds. */
  timeout?: number;
}

export interface Inspection {
  byTag: Record<string, Record<string, number>>;
  fiveXxTimes: number[];
  unmaskedCount: number;
  unmaskedSamples: string[];
  createdOrderIds: string[];
  errorCodes: Record<string, number>;
  /** When connection-level errors happened (ms since epoch). */
  errorTimes?: number[];
}

export interface LoadResult {
  url: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCounts: Record<string, number>;
  durationSec: number;
  startedAt: number;
  inspection?: Inspection;
}

export type WorkerRequest = { type: 'run'; id: number; jobs: LoadJob[] };
export type WorkerReply =
  { type: 'result'; id: number; results: LoadResult[] } | { type: 'error'; id: number; error: string };

/** The error codes docs/api.md allows a client to see; anything else is an unmasked error. */
export const PUBLIC_ERROR_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INTERNAL_SERVER_ERROR',
]);

/** Traces of internals a client must never see: stack frames, file paths, SQL, library names. */
export const LEAK_PATTERN =
  /\bat [^\s]+ \(|\.(?:ts|js|mjs|cjs):\d+|\/work\/|\/home\/|node_modules|stacktrace|\bSELECT\b|\bINSERT\b|syntax error at|ioredis|ECONNREFUSED|Did you mean/i;

import autocannon from 'autocannon';
import {
  LEAK_PATTERN,
  PUBLIC_ERROR_CODES,
  type Inspection,
  type LoadJob,
  type LoadResult,
  type WorkerReply,
  type WorkerRequest,
} from './lib/load-types.js';

// The load generator: a separate process (pinned to the other core by the parent) running
// autocannon's programmatic API, so generating load never competes with the server under test.

interface GraphQLBody {
  data?: { createOrder?: { id?: unknown } | null } | null;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

function newInspection(): Inspection {
  return {
    byTag: {},
    fiveXxTimes: [],
    unmaskedCount: 0,
    unmaskedSamples: [],
    createdOrderIds: [],
    errorCodes: {},
  };
}

function inspect(ins: Inspection, tag: string, status: number, body: string): void {
  const counts = (ins.byTag[tag] ??= {});
  counts[status] = (counts[status] ?? 0) + 1;
  if (status >= 500) ins.fiveXxTimes.push(Date.now());
  const unmasked = (why: string) => {
    ins.unmaskedCount++;
    if (ins.unmaskedSamples.length < 10)
      ins.unmaskedSamples.push(`${tag} ${status} ${why}: ${body.slice(0, 300)}`);
  };
  if (LEAK_PATTERN.test(body)) unmasked('leak');
  let parsed: GraphQLBody;
  try {
    parsed = JSON.parse(body) as GraphQLBody;
  } catch {
    // Only GraphQL JSON is expected on /graphql; an HTML or text error page is unmasked.
    if (body.length > 0) unmasked('not json');
    return;
  }
  for (const e of parsed.errors ?? []) {
    const code = typeof e.extensions?.code === 'string' ? e.extensions.code : '(none)';
    ins.errorCodes[code] = (ins.errorCodes[code] ?? 0) + 1;
    if (!PUBLIC_ERROR_CODES.has(code)) unmasked(`code ${code}`);
  }
  const id = parsed.data?.createOrder?.id;
  if (typeof id === 'string') ins.createdOrderIds.push(id);
}

function runJob(job: LoadJob): Promise<LoadResult> {
  const ins = job.inspect ? newInspection() : undefined;
  const startedAt = Date.now();
  const requests = job.requests.map((r) => ({
    method: r.method,
    path: r.path,
    headers: r.headers,
    ...(r.body !== undefined ? { body: r.body } : {}),
    ...(ins
      ? {
          // The app echoes a sane X-Request-Id; the soak sends `soak.<kind>` so each answer is
          // attributed to the request that caused it even after reconnects reorder autocannon's
          // request cycle (its own bookkeeping drifts when a connection drops mid-request).
          onResponse: (status: number, body: string, _ctx: unknown, headers?: Record<string, string>) => {
            const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === 'x-request-id');
            const echoed = key ? headers?.[key] : undefined;
            const tag =
              typeof echoed === 'string' && echoed.startsWith('soak.')
                ? echoed.slice(5)
                : `${r.tag ?? 'request'}?`;
            inspect(ins, tag, status, body ?? '');
          },
        }
      : {}),
  }));
  const opts: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    requests,
    timeout: job.timeout ?? 10,
    ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.duration ?? 5 }),
    ...(job.verify === 'data'
      ? { verifyBody: (body: string) => body.startsWith('{"data":{') && !body.includes('"errors"') }
      : {}),
  };
  // Connection-level errors (refused, reset) with their times: the soak tells the restart
  // window apart from the rest of the run.
  const errorTimes: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (error, r) => {
      if (error) {
        reject(error);
        return;
      }
      const statusCounts: Record<string, number> = {};
      for (const [code, stat] of Object.entries(r.statusCodeStats ?? {})) statusCounts[code] = stat.count;
      const result: LoadResult = {
        url: job.url,
        reqPerSec: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        total: r.requests.total,
        ok2xx: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        mismatches: (r as { mismatches?: number }).mismatches ?? 0,
        statusCounts,
        durationSec: r.duration,
        startedAt,
        ...(ins ? { inspection: { ...ins, errorTimes } } : {}),
      };
      resolve(result);
    });
    if (ins) instance.on('reqError', () => errorTimes.length < 1_000_000 && errorTimes.push(Date.now()));
  });
}

process.on('message', (m: WorkerRequest) => {
  if (m.type !== 'run') return;
  Promise.all(m.jobs.map(runJob)).then(
    (results) => process.send?.({ type: 'result', id: m.id, results } satisfies WorkerReply),
    (error: unknown) =>
      process.send?.({ type: 'error', id: m.id, error: String(error) } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });

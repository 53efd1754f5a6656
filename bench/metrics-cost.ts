import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import type { GraphQLRequestListener } from '@apollo/server';
import { createMetrics } from '../src/observability/metrics.js';
import { machine } from './lib/report.js';

// What the metrics add to one request, measured in process: the request timer, the plugin's
// hooks and every observation, on fake requests. The side-by-side run also compares the project
// with metrics on and off over HTTP, but on a shared 2-core machine its rounds swing by ±20 %,
// more than the < 5 % target; this figure, divided by a request's own time, bounds the overhead.

type Listener = GraphQLRequestListener<{ req: Request }>;

export async function runMetricsCost({ requests }: { requests: number }): Promise<void> {
  const metrics = createMetrics({ enabled: true });
  const start = metrics.plugin.requestDidStart;
  if (!start) throw new Error('the metrics plugin has no requestDidStart');
  const result = { extensions: { cost: { requested: 31, actual: 21, limit: 50_000, remaining: 40_000 } } };
  const once = async () => {
    const req = {} as Request;
    const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as Response;
    metrics.requestTimer(req, res, () => undefined);
    // The hooks as Apollo calls them; only the fields the plugin reads are given.
    const listener = (await start({ contextValue: { req } } as never)) as Listener;
    await listener.didResolveOperation?.({ operationName: 'MyOrders', request: {} } as never);
    await listener.willSendResponse?.({
      response: { body: { kind: 'single', singleResult: result } },
    } as never);
    res.emit('finish');
  };
  for (let i = 0; i < Math.min(20_000, requests); i++) await once(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) await once();
  const micros = Number(process.hrtime.bigint() - t0) / requests / 1000;
  console.log(`machine: ${machine()}`);
  console.log(
    `metrics work per request: ${micros.toFixed(2)} µs (${requests.toLocaleString('en-US')} requests, fake request objects included)`,
  );
  for (const [label, rps] of [
    ['{ __typename } at 2,500 req/s', 2500],
    ['myOrders at 500 req/s', 500],
    ['the catalogue page at 250 req/s', 250],
  ] as const)
    console.log(
      `  share of one core's time per request for ${label}: ${((micros * rps) / 1e4).toFixed(2)} %`,
    );
}

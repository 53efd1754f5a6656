import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createTracing, isTraced, parseHeaders, tracesUrl } from '../../src/observability/tracing.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { requireService } from '../helpers/env.js';
import { assertOk } from '../helpers/graphql.js';
import { randomIp } from '../helpers/network.js';
import { insertUser, login, type TestUser } from '../helpers/users.js';

// OpenTelemetry tracing (docs/tracing.md): one real request on PostgreSQL and Redis, and the span
// tree it leaves in an in-memory exporter.

const QUERY = '{ viewer { id } myOrders(first: 5) { edges { node { id } } } }';
/** An endpoint nothing listens on (the discard port): exports fail, requests must not. */
const UNREACHABLE = 'http://127.0.0.1:9/v1/traces';

const services = requireService('DATABASE_URL') || requireService('REDIS_URL');

const isRoot = (s: ReadableSpan) => s.kind === SpanKind.SERVER;
const ms = (time: readonly [number, number]) => time[0] * 1000 + time[1] / 1e6;

/** The finished spans once `done` holds (the server span ends on 'finish', after the client has read). */
async function spansWhen(
  exporter: InMemorySpanExporter,
  done: (spans: ReadableSpan[]) => boolean,
): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (done(spans)) return spans;
    if (Date.now() > deadline) assert.fail(`spans never complete: ${spans.map((s) => s.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every attribute value of every span, as text (for "never recorded" checks). */
const attributeText = (spans: readonly ReadableSpan[]) =>
  spans.flatMap((s) => Object.values(s.attributes).map((v) => String(v)));

function assertNeverRecorded(spans: readonly ReadableSpan[], secrets: Record<string, string>): void {
  const values = attributeText(spans);
  for (const [what, secret] of Object.entries(secrets))
    assert.ok(!values.some((v) => v.includes(secret)), `${what} appears in a span attribute`);
}

describe('tracing: one request, one trace', { skip: services }, () => {
  const exporter = new InMemorySpanExporter();
  let t: TestApp;
  let user: TestUser;
  let spans: ReadableSpan[];
  let requestId: string | null;
  let root: ReadableSpan;

  before(async () => {
    t = await startApp({ driver: 'pg', redis: true, traceExporter: exporter });
    user = await insertUser(t);
    // The fixture's own statements run outside any request and are not traced.
    exporter.reset();
    const res = await t.gql(QUERY, undefined, user.headers);
    assertOk(res);
    requestId = res.headers.get('x-request-id');
    spans = await spansWhen(exporter, (all) => all.some(isRoot));
    root = spans.find(isRoot) as ReadableSpan;
  });
  after(async () => {
    await t?.stop();
  });

  const childrenOf = (parent: ReadableSpan) =>
    spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
  const one = (name: string) => {
    const found = spans.filter((s) => s.name === name);
    assert.equal(found.length, 1, `one ${name} span, got ${found.length}`);
    return found[0] as ReadableSpan;
  };

  it('the wrapper and the patch are in place: db traced, Redis sendCommand patched', () => {
    assert.equal(isTraced(t.app.db), true);
    assert.ok(t.app.redis && Object.hasOwn(t.app.redis, 'sendCommand'));
  });

  it('every span shares one trace id and descends from the HTTP server span', () => {
    assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
    assert.equal(spans.filter(isRoot).length, 1);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    for (const span of spans) {
      let at: ReadableSpan | undefined = span;
      while (at && at !== root) at = byId.get(at.parentSpanContext?.spanId ?? '');
      assert.equal(at, root, `${span.name} does not descend from the server span`);
    }
  });

  it('the server span: method, path, status and the request id of the x-request-id header', () => {
    assert.equal(root.name, 'POST /graphql');
    assert.equal(root.parentSpanContext, undefined);
    assert.ok(requestId, 'the answer has an x-request-id');
    assert.equal(root.attributes['request.id'], requestId);
    assert.equal(root.attributes['http.request.method'], 'POST');
    assert.equal(root.attributes['url.path'], '/graphql');
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.attributes['graphql.operation.type'], 'query');
  });

  it('parse, validate, cost and execute are children of the server span, in that order', () => {
    const phases = ['graphql.parse', 'graphql.validate', 'graphql.cost', 'graphql.execute'].map(one);
    const children = childrenOf(root);
    for (const phase of phases)
      assert.ok(children.includes(phase), `${phase.name} is a child of the request`);
    for (let i = 1; i < phases.length; i++) {
      const before = phases[i - 1] as ReadableSpan;
      const current = phases[i] as ReadableSpan;
      assert.ok(ms(before.endTime) <= ms(current.startTime), `${before.name} ends before ${current.name}`);
    }
    assert.equal(one('graphql.execute').attributes['graphql.operation.type'], 'query');
  });

  it('database statements are spans with the SQL text, never its parameters', () => {
    const queries = spans.filter((s) => s.name === 'db.query');
    assert.ok(queries.length > 0, 'at least one db.query span');
    for (const q of queries) {
      assert.equal(q.attributes['db.system'], 'postgresql');
      assert.equal(typeof q.attributes['db.query.text'], 'string');
    }
    // The viewer is looked up by id: the id is a bind parameter, so it is in no attribute.
    assertNeverRecorded(spans, { 'the user id (a parameter)': user.id });
  });

  it('Redis commands are spans named after the command, without keys or values', () => {
    const commands = spans.filter((s) => s.name.startsWith('redis '));
    assert.ok(commands.length > 0, 'at least one Redis span');
    for (const c of commands) {
      assert.match(c.name, /^redis [A-Z]+$/);
      assert.equal(c.attributes['db.system'], 'redis');
    }
    assertNeverRecorded(spans, { 'the key prefix': t.redisPrefix });
  });

  it('no attribute holds the password or the access token', () => {
    const token = (user.headers.authorization ?? '').replace(/^Bearer /, '');
    assert.ok(token.length > 20);
    assertNeverRecorded(spans, { password: user.password, token });
  });

  it('no resolver span at the default threshold (10 ms) for fields this fast', () => {
    const slow = spans.filter((s) => s.name.startsWith('resolve ') && ms(s.endTime) - ms(s.startTime) < 10);
    assert.deepEqual(slow, []);
  });
});

describe(
  'tracing: a login records neither the password, the e-mail nor the token',
  { skip: services },
  () => {
    it('login mutation: variables and the answer stay out of the spans', async () => {
      const exporter = new InMemorySpanExporter();
      const t = await startApp({ driver: 'pg', redis: true, traceExporter: exporter });
      try {
        const user = await insertUser(t);
        exporter.reset();
        const res = await login(t, user.email, user.password, randomIp());
        assertOk(res);
        const token = (res.body.data?.login as { accessToken: string }).accessToken;
        const spans = await spansWhen(exporter, (all) => all.some(isRoot));
        assert.ok(spans.some((s) => s.name === 'db.query'));
        assertNeverRecorded(spans, { password: user.password, email: user.email, token });
      } finally {
        await t.stop();
      }
    });
  },
);

describe('tracing: a body that arrives in pieces', { skip: services }, () => {
  it('the statements after the body parser still belong to the request', async () => {
    const exporter = new InMemorySpanExporter();
    const t = await startApp({ driver: 'pg', redis: true, traceExporter: exporter });
    try {
      const user = await insertUser(t);
      exporter.reset();
      // The second half comes 100 ms later: the body parser goes on from a stream event.
      const body = JSON.stringify({ query: QUERY });
      const half = Math.floor(body.length / 2);
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode(body.slice(0, half)));
          await new Promise((resolve) => setTimeout(resolve, 100));
          controller.enqueue(encoder.encode(body.slice(half)));
          controller.close();
        },
      });
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...user.headers },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      assert.equal(res.status, 200, await res.text());
      const spans = await spansWhen(exporter, (all) => all.some(isRoot));
      assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
      assert.ok(spans.some((s) => s.name === 'db.query'));
    } finally {
      await t.stop();
    }
  });
});

describe('tracing: resolver spans at the threshold', { skip: services }, () => {
  // TRACE_RESOLVER_THRESHOLD_MS only exists with an endpoint; the injected exporter replaces it.
  const start = (threshold: string, exporter: InMemorySpanExporter) =>
    startApp({
      driver: 'pg',
      redis: true,
      traceExporter: exporter,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: UNREACHABLE, TRACE_RESOLVER_THRESHOLD_MS: threshold },
    });

  it('threshold 0: every resolver is slow enough; Query.viewer gets a span under execute', async () => {
    const exporter = new InMemorySpanExporter();
    const t = await start('0', exporter);
    try {
      const user = await insertUser(t);
      exporter.reset();
      assertOk(await t.gql('{ viewer { id } }', undefined, user.headers));
      const spans = await spansWhen(exporter, (all) => all.some(isRoot));
      const execute = spans.find((s) => s.name === 'graphql.execute');
      const viewer = spans.find((s) => s.name === 'resolve Query.viewer');
      assert.ok(execute && viewer, spans.map((s) => s.name).join(', '));
      assert.equal(viewer.parentSpanContext?.spanId, execute.spanContext().spanId);
      assert.equal(viewer.attributes['graphql.field.path'], 'viewer');
      assert.equal(viewer.attributes['graphql.field.parent_type'], 'Query');
      assert.ok(spans.some((s) => s.name === 'resolve User.id'));
      assert.ok(ms(viewer.startTime) >= ms(execute.startTime) && ms(viewer.endTime) <= ms(execute.endTime));
    } finally {
      await t.stop();
    }
  });

  it('a threshold above every resolver: no resolver span', async () => {
    const exporter = new InMemorySpanExporter();
    const t = await start('60000', exporter);
    try {
      const user = await insertUser(t);
      exporter.reset();
      assertOk(await t.gql(QUERY, undefined, user.headers));
      const spans = await spansWhen(exporter, (all) => all.some(isRoot));
      assert.ok(spans.some((s) => s.name === 'graphql.execute'));
      assert.deepEqual(
        spans.filter((s) => s.name.startsWith('resolve ')).map((s) => s.name),
        [],
      );
    } finally {
      await t.stop();
    }
  });
});

describe('tracing off and OTLP', { skip: services }, () => {
  let off: TestApp;
  before(async () => {
    off = await startApp({ driver: 'pg', redis: true });
  });
  after(async () => {
    await off?.stop();
  });

  it('off (no endpoint, no exporter): no-op pieces, the db unwrapped and Redis unpatched', async () => {
    const tracing = createTracing(undefined);
    assert.equal(tracing.enabled, false);
    assert.deepEqual(tracing.plugin, {});
    assert.equal(isTraced(off.app.db), false);
    assert.ok(off.app.redis && !Object.hasOwn(off.app.redis, 'sendCommand'));
    const user = await insertUser(off);
    assertOk(await off.gql(QUERY, undefined, user.headers));
  });

  it('an unreachable OTLP endpoint: the app traces, requests succeed, and stop() is not held up', async () => {
    const t = await startApp({
      driver: 'pg',
      redis: true,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: UNREACHABLE },
    });
    let stopped = false;
    try {
      assert.equal(isTraced(t.app.db), true);
      const user = await insertUser(t);
      assertOk(await t.gql(QUERY, undefined, user.headers));
      assertOk(await t.gql('{ health }'));
      const began = Date.now();
      await t.stop();
      stopped = true;
      assert.ok(Date.now() - began < 10_000, 'shutdown bounded by the export timeout');
    } finally {
      if (!stopped) await t.stop();
    }
  });

  it('OTLP settings: the base URL gets /v1/traces, and headers parse in the OTel format', () => {
    assert.equal(tracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl(UNREACHABLE), UNREACHABLE);
    assert.deepEqual(parseHeaders('api-key=abc%3D1, x-tenant = t1,broken'), {
      'api-key': 'abc=1',
      'x-tenant': 't1',
    });
    assert.deepEqual(parseHeaders(undefined), {});
  });
});

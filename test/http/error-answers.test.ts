import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kind, Lexer, Source, TokenKind, parse, visit } from 'graphql';
import type { TestApp } from '../helpers/app.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { MAX_ERRORS_PER_ANSWER } from '../../src/security/response/masked-errors.js';
import { leaks, startDev, startProd, VIA_HTTPS_PROXY } from './http-helpers.js';

/**
 * Issue 14: error answers are bounded (one per kind of mistake, at most MAX_ERRORS_PER_ANSWER),
 * and in production no message names what the client did not send. The schema-recovery probe
 * works the way Clairvoyance-style tools do with introspection off: a wordlist of likely names
 * sent as fields, arguments, input fields, enum values and types, reading every message for the
 * names it reveals.
 */

interface Probe {
  query: string;
  variables?: Record<string, unknown>;
}

/** Every name the schema defines: types, fields, arguments, input fields, enum values. */
function schemaNames(): { all: Set<string>; typesAndValues: Set<string> } {
  const all = new Set<string>(['Int', 'Float', 'String', 'Boolean', 'ID']);
  const typesAndValues = new Set<string>(all);
  const dir = join(import.meta.dirname, '../../schema');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
    visit(parse(readFileSync(join(dir, file), 'utf8')), {
      enter(node) {
        // Definitions only: not the uses of a type, a directive or an argument.
        if (!node.kind.endsWith('Definition') && !node.kind.endsWith('Extension')) return;
        if (!('name' in node) || !node.name) return;
        const name = node.name.value;
        all.add(name);
        if (node.kind !== Kind.FIELD_DEFINITION && node.kind !== Kind.INPUT_VALUE_DEFINITION)
          typesAndValues.add(name);
      },
    });
  }
  return { all, typesAndValues };
}

/** The names a request itself carries: every name token of the document, every key and string of its variables. */
function sentNames(probe: Probe): Set<string> {
  const sent = new Set<string>();
  const lexer = new Lexer(new Source(probe.query));
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (token.kind === TokenKind.NAME) sent.add(token.value);
      // A string may be a document itself (estimateCost's query): its words were sent too.
      if (token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING)
        for (const word of token.value.match(/[_A-Za-z][_0-9A-Za-z]*/g) ?? []) sent.add(word);
    }
  } catch {
    // a syntax error ends the names the client sent
  }
  const walk = (value: unknown): void => {
    if (typeof value === 'string') sent.add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        sent.add(k);
        walk(v);
      }
    }
  };
  walk(probe.variables);
  return sent;
}

/** What a message reveals that the request did not contain. */
function revealed(message: string, sent: Set<string>, names: ReturnType<typeof schemaNames>): string[] {
  const found = new Set<string>();
  // Quoted names ("x", "$x", "@x", "Type.field", "[Int!]") must all be the client's own.
  for (const [, quoted = ''] of message.matchAll(/"([^"]*)"/g)) {
    for (const word of quoted.match(/[_A-Za-z][_0-9A-Za-z]*/g) ?? []) {
      if (names.all.has(word) && !sent.has(word)) found.add(word);
    }
  }
  // A type name or enum value anywhere in the prose.
  for (const word of message.match(/[_A-Za-z][_0-9A-Za-z]*/g) ?? []) {
    if (names.typesAndValues.has(word) && !sent.has(word)) found.add(word);
  }
  if (/apollo|graphql-js|introspection:\s*true|did you mean/i.test(message)) found.add(message);
  return [...found];
}

/** Likely names, as in the wordlists of schema-recovery tools: many are real here. */
const WORDLIST = [
  'id',
  'name',
  'email',
  'user',
  'users',
  'viewer',
  'me',
  'admin',
  'password',
  'passwordHash',
  'token',
  'secret',
  'role',
  'roles',
  'order',
  'orders',
  'product',
  'products',
  'review',
  'reviews',
  'author',
  'body',
  'rating',
  'priceCents',
  'price',
  'status',
  'items',
  'quantity',
  'owner',
  'address',
  'shippingAddress',
  'city',
  'country',
  'createdAt',
  'apiKey',
  'apiKeys',
  'scopes',
  'session',
  'login',
  'register',
  'logout',
  'node',
  'edges',
  'cursor',
  'pageInfo',
  'totalCount',
  'search',
  'first',
  'after',
  'input',
  'health',
  'settings',
  'config',
  'debug',
  'internal',
  'deleteUser',
  'updateProfile',
  'createOrder',
  'cancelOrder',
  'addReview',
  'createProduct',
  'estimateCost',
  'requested',
  'limit',
  'remaining',
  'refreshSession',
  'requestPasswordReset',
];
const TYPE_WORDS = [
  'User',
  'Product',
  'Order',
  'Review',
  'Role',
  'Scope',
  'Query',
  'Mutation',
  'RegisterInput',
  'Secret',
  'Admin',
];
const VALUE_WORDS = [
  'ADMIN',
  'CUSTOMER',
  'ROOT',
  'PRODUCTS_READ',
  'ORDERS_ALL',
  'PENDING',
  'PAID',
  'US',
  'XX',
];

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The probes of a schema-recovery run. */
function recoveryProbes(): Probe[] {
  const probes: Probe[] = [];
  for (const words of chunks(WORDLIST, 8)) {
    probes.push({ query: `{ ${words.join(' ')} }` }); // root fields: exists? needs a selection?
    probes.push({ query: `mutation { ${words.join(' ')} }` });
    probes.push({ query: `{ ${words.map((w) => `${w} { __typename }`).join(' ')} }` }); // leaf or object?
    probes.push({ query: `{ product(id: "1") { ${words.join(' ')} } }` }); // fields of a known field's type
    probes.push({ query: `{ products(first: 1) { edges { node { ${words.join(' ')} } } } }` });
    probes.push({
      query: `{ products(first: 1, ${words.map((w) => `${w}: 1`).join(', ')}) { totalCount } }`,
    });
    probes.push({
      query: `mutation { register(input: { ${words.map((w) => `${w}: "x"`).join(', ')} }) }`,
    });
    probes.push({
      query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      variables: { i: Object.fromEntries(words.map((w) => [w, 1])) },
    });
  }
  for (const word of WORDLIST) {
    probes.push({ query: `{ ${word}(id: 1, first: 1) { __typename } }` }); // missing or unknown arguments
    probes.push({ query: `{ ${word} }` });
  }
  for (const type of TYPE_WORDS) {
    probes.push({ query: `query($v: ${type}) { health }` });
    probes.push({ query: `{ ...on ${type} { __typename } }` });
    probes.push({ query: `{ ...F } fragment F on ${type} { __typename }` });
  }
  for (const value of VALUE_WORDS) {
    probes.push({ query: `mutation { createApiKey(input: { name: "k", scopes: [${value}] }) { secret } }` });
    probes.push({
      query: 'mutation($s: [Scope!]!) { createApiKey(input: { name: "k", scopes: $s }) { secret } }',
      variables: { s: [value] },
    });
  }
  // Wrong literal and variable types, missing and null variables, input objects missing fields.
  probes.push(
    { query: '{ products(first: "x") { totalCount } }' },
    { query: '{ product(id: {a: 1}) { id } }' },
    { query: 'query($x: String) { products(first: $x) { totalCount } }' },
    { query: 'query($x: Int!) { products(first: $x) { totalCount } }', variables: { x: 'a' } },
    { query: 'query($x: Int!) { products(first: $x) { totalCount } }', variables: {} },
    { query: 'query($x: Int!) { products(first: $x) { totalCount } }', variables: { x: null } },
    { query: 'mutation { register(input: {}) }' },
    { query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', variables: { i: {} } },
    { query: '{ viewer { id } viewer: health }' },
    { query: '{ product { id } }' },
    { query: '{ health @include }' },
    { query: '{ __schema { types { name } } }' },
    { query: '{ __type(name: "User") { fields { name } } }' },
    { query: 'subscription { health }' },
    { query: '{ estimateCost(query: "{ nope }") { requested } }' },
    { query: '{ estimateCost(query: "{ product { id } }") { requested } }' },
    { query: '{ estimateCost(query: "{ viewer }") { requested } }' },
  );
  return probes;
}

async function send(t: TestApp, probe: Probe, headers: Record<string, string> = {}): Promise<GqlResponse> {
  return t.post(probe, headers);
}

describe('production: a schema-recovery probe learns no name it did not send', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  it('every answer to the wordlist probes names only what the probe itself sent', async () => {
    const names = schemaNames();
    const problems: string[] = [];
    let answers = 0;
    for (const probe of recoveryProbes()) {
      const res = await send(t, probe, VIA_HTTPS_PROXY);
      assert.ok(res.status < 500, `${res.status} for ${probe.query}`);
      const sent = sentNames(probe);
      for (const error of res.body.errors ?? []) {
        answers++;
        assert.equal(typeof error.extensions?.code, 'string', `no code: ${res.text}`);
        for (const name of revealed(error.message, sent, names))
          problems.push(`${probe.query} → ${error.message} (reveals ${name})`);
      }
      assert.deepEqual(leaks(res.text), [], res.text);
    }
    assert.ok(answers > 200, `the probe got ${answers} errors to read`);
    assert.deepEqual(problems, []);
  });

  it('the introspection refusal names neither the server nor how to configure it', async () => {
    const res = await send(t, { query: '{ __schema { queryType { name } } }' }, VIA_HTTPS_PROXY);
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.body.errors?.map((e) => [e.message, e.extensions?.code]),
      [['Introspection is not available: use the published schema.', 'GRAPHQL_VALIDATION_FAILED']],
    );
  });

  it('legitimate: a mistake is still said with the names the client wrote', async () => {
    const cases: [Probe, number, string, string][] = [
      [{ query: '{ viewr { id } }' }, 400, 'GRAPHQL_VALIDATION_FAILED', 'Cannot query field "viewr" here.'],
      [
        { query: '{ product { id } }' },
        400,
        'GRAPHQL_VALIDATION_FAILED',
        'Field "product" is missing a required argument.',
      ],
      [
        { query: '{ products(first: 1, frist: 2) { totalCount } }' },
        400,
        'GRAPHQL_VALIDATION_FAILED',
        'Unknown argument "frist" on field "products".',
      ],
      [
        { query: 'query($n: Int!) { products(first: $n) { totalCount } }', variables: { n: 'ten' } },
        400,
        'BAD_USER_INPUT',
        'Variable "$n" has an invalid value.',
      ],
      [
        {
          query: 'mutation($s: [Scope!]!) { createApiKey(input: { name: "k", scopes: $s }) { secret } }',
          variables: { s: ['NOPE'] },
        },
        400,
        'BAD_USER_INPUT',
        'Variable "$s" has an invalid value at "s[0]".',
      ],
      [
        { query: 'subscription { health }' },
        400,
        'GRAPHQL_VALIDATION_FAILED',
        'This API has no subscription operations.',
      ],
    ];
    for (const [probe, status, code, message] of cases) {
      const res = await send(t, probe, VIA_HTTPS_PROXY);
      assert.equal(res.status, status, res.text);
      assert.deepEqual(
        res.body.errors?.map((e) => [e.message, e.extensions?.code]),
        [[message, code]],
        probe.query,
      );
    }
  });

  it('our own messages pass as written (a depth refusal, a dry-run refusal)', async () => {
    const deep = await send(
      t,
      {
        query: `{ viewer ${'{ orders(first: 1) { edges { node { owner '.repeat(3)}{ id }${' } } } }'.repeat(3)} }`,
      },
      VIA_HTTPS_PROXY,
    );
    assert.equal(deep.status, 400, deep.text);
    assert.equal(deep.body.errors?.[0]?.message, 'The operation is nested too deeply.');
    const dry = await send(
      t,
      { query: '{ estimateCost(query: "{ health }", variables: 5) { requested } }' },
      VIA_HTTPS_PROXY,
    );
    assert.equal(dry.body.errors?.[0]?.message, 'Variables must be an object.');
    assert.equal(dry.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });
});

describe('development: the same probe reads schema names (the negative control)', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  it('library messages and suggestions name types the client never sent', async () => {
    const names = schemaNames();
    const found = new Set<string>();
    for (const probe of recoveryProbes().slice(0, 40)) {
      const res = await send(t, probe);
      for (const error of res.body.errors ?? []) {
        for (const name of revealed(error.message, sentNames(probe), names)) found.add(name);
      }
    }
    // The check above is able to fail: unreworded, these answers give the schema away.
    assert.ok(found.has('Query') && found.has('ID'), [...found].join(', '));
  });
});

describe('bounded answers: one error per kind of mistake, at most MAX_ERRORS_PER_ANSWER', () => {
  for (const [mode, start, headers] of [
    ['production', () => startProd(), VIA_HTTPS_PROXY],
    ['development', () => startDev(), {}],
  ] as const) {
    describe(mode, () => {
      let t: TestApp;
      before(async () => {
        t = await start();
      });
      after(() => t.stop());

      const bounded = (res: GqlResponse) => {
        const errors = res.body.errors ?? [];
        assert.ok(
          errors.length >= 1 && errors.length <= MAX_ERRORS_PER_ANSWER,
          `${errors.length}: ${res.text}`,
        );
        return errors;
      };

      it('attack: ten unknown directives on one field are one error', async () => {
        const res = await send(t, { query: '{ health @a @b @c @d @e @f @g @h @i @j }' }, headers);
        assert.equal(res.status, 400);
        const errors = bounded(res);
        assert.deepEqual(
          errors.map((e) => [e.message, e.extensions?.code]),
          [['Unknown directive "@a".', 'GRAPHQL_VALIDATION_FAILED']],
        );
      });

      it('attack: a hundred duplicate @include are one error per rule', async () => {
        const res = await send(t, { query: `{ health${' @include(if: true)'.repeat(100)} }` }, headers);
        assert.equal(res.status, 400);
        const errors = bounded(res);
        assert.deepEqual(
          errors.slice(1).map((e) => e.message),
          [
            'The directive "@include" can only be used once at this location.',
            'Too many validation errors, error limit reached. Validation aborted.',
          ],
        );
        assert.match(errors[0]?.message ?? '', /directives/);
      });

      it('attack: hundreds of unknown fields are a short answer, each kind once', async () => {
        const fields = Array.from({ length: 600 }, (_, i) => `f${i}`).join(' ');
        const res = await send(t, { query: `{ ${fields} }` }, headers);
        assert.equal(res.status, 400);
        const errors = bounded(res);
        const messages = errors.map((e) => e.message);
        assert.equal(new Set(messages).size, messages.length, 'no repeated message');
        assert.equal(messages.filter((m) => m.startsWith('Cannot query field')).length, 1);
      });

      it('attack: an input missing many fields (variable coercion) is one error', async () => {
        const res = await send(
          t,
          { query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', variables: { i: {} } },
          headers,
        );
        assert.equal(res.status, 400);
        const errors = bounded(res);
        assert.equal(errors.length, 1, res.text);
        assert.equal(errors[0]?.extensions?.code, 'BAD_USER_INPUT');
      });

      it('attack: ten refused fields in execution are one error, their data still null', async () => {
        const aliases = Array.from({ length: 10 }, (_, i) => `o${i}: myOrders(first: 1) { totalCount }`);
        const res = await send(t, { query: `{ ${aliases.join(' ')} }` }, headers);
        assert.equal(res.status, 200, res.text);
        const errors = bounded(res);
        assert.deepEqual(
          errors.map((e) => e.extensions?.code),
          ['UNAUTHENTICATED'],
        );
        assert.equal(res.body.data, null);
      });

      it('legitimate: different mistakes in one document are each reported', async () => {
        const res = await send(t, { query: '{ nope health { x } }' }, headers);
        assert.equal(res.status, 400);
        const errors = bounded(res);
        assert.equal(errors.length, 2, res.text);
        assert.match(errors[0]?.message ?? '', /^Cannot query field "nope"/);
        assert.match(errors[1]?.message ?? '', /^Field "health" must not have a selection/);
      });
    });
  }
});

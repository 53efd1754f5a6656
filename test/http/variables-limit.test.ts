import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withinBounds } from '../../src/security/http/variables-limit.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { assertRefused, type GqlResponse } from '../helpers/graphql.js';

// Variables are bounded before anything walks them (src/security/http/variables-limit.ts): a value
// nested 10,000 deep in an unused variable used to overflow the stack into a 500.
const nested = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;
const deepObject = (depth: number) => nested(depth, '{"a":', '}');

describe('variables: a JSON object of bounded depth and size', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.stop());

  const refused = (res: GqlResponse) => assertRefused(res, 'BAD_USER_INPUT', 400);

  it('legitimate: nested inputs within the bounds are served', async () => {
    // Variables the operation does not declare are ignored by GraphQL, but still bounded here.
    const res = await t.post({
      query: 'query($n: Int!) { products(first: $n) { totalCount } }',
      variables: { n: 1, input: { items: [{ productId: 'x', quantity: 1 }], address: { city: 'London' } } },
    });
    assert.deepEqual(res.body.data, { products: { totalCount: 0 } }, res.text);
  });

  it('attack: a value nested 10,000 deep (object or array), even unused, is a 400, never a 500', async () => {
    refused(await t.post(`{"query":"{ health }","variables":{"x":${deepObject(10_000)}}}`));
    refused(
      await t.post(`{"query":"query($x: Int) { health }","variables":{"x":${nested(10_000, '[', ']')}}}`),
    );
    assert.equal(t.logs.filter((l) => (l.level as number) >= 50).length, 0, 'no internal error was logged');
  });

  it('attack: variables that are not an object, or hold too many keys, are a 400', async () => {
    for (const variables of ['"text"', '[1]', '5', 'true']) {
      refused(await t.post(`{"query":"{ health }","variables":${variables}}`));
    }
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    refused(await t.post({ query: '{ health }', variables: many }));
  });

  it('attack: the same bounds hold for GET', async () => {
    const get = (variables: string) =>
      fetch(
        `${t.url}/graphql?query=${encodeURIComponent('{ health }')}&variables=${encodeURIComponent(variables)}`,
        {
          headers: { 'apollo-require-preflight': 'true' },
        },
      );
    for (const variables of [deepObject(50), 'not json', '[1]']) {
      const res = await get(variables);
      assert.equal(res.status, 400);
      assert.equal(
        ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
        'BAD_USER_INPUT',
      );
    }
  });
});

describe('withinBounds (unit)', () => {
  it('counts depth from the variables object and keys at every level, without recursion', () => {
    const bounds = { maxDepth: 3, maxKeys: 5 };
    assert.equal(withinBounds({ a: { b: { c: 1 } } }, bounds), true);
    assert.equal(withinBounds({ a: { b: { c: { d: 1 } } } }, bounds), false);
    assert.equal(withinBounds({ a: [1, 2], b: 3 }, bounds), true); // 2 keys + 2 items = 4
    assert.equal(withinBounds({ a: [1, 2, 3], b: 3, c: 4 }, bounds), false); // 3 keys + 3 items = 6
    assert.equal(withinBounds(JSON.parse(deepObject(100_000)), { maxDepth: 10, maxKeys: 1000 }), false);
  });
});

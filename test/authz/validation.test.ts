import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLNonNull } from 'graphql';
import { createApiKeyInput, registerInput } from '../../src/modules/identity/identity.inputs.js';
import { createOrderInput } from '../../src/modules/orders/orders.inputs.js';
import { addReviewInput } from '../../src/modules/reviews/reviews.inputs.js';
import { DateTimeScalar } from '../../src/graphql/scalars.js';
import { updateProfileInput } from '../../src/modules/users/users.inputs.js';
import { parseInput } from '../../src/validation.js';
import type { TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { assertOk } from '../helpers/graphql.js';
import { insertUser, type TestUser } from '../helpers/users.js';
import { makeProduct, startAuthzApp } from './authz-helpers.js';

// Input validation at the boundary: every rule of docs/api.md, with BAD_USER_INPUT and
// extensions.fieldErrors keyed by the input path.

/** The fieldErrors keys parseInput produces, or 'ok' when the input passes. */
function check(schema: Parameters<typeof parseInput>[0], value: unknown): string[] | 'ok' {
  try {
    parseInput(schema, value, 'input');
    return 'ok';
  } catch (e) {
    const ext = (e as { extensions?: { code?: string; fieldErrors?: Record<string, string> } }).extensions;
    assert.equal(ext?.code, 'BAD_USER_INPUT');
    return Object.keys(ext?.fieldErrors ?? {}).sort();
  }
}

const ID = '6f1c1a52-3c0e-4b8e-9d55-0b7c7f5a2a10';
const order = (patch: Record<string, unknown>) => ({
  items: [{ productId: ID, quantity: 1 }],
  shippingAddress: ORDER_ADDRESS,
  ...patch,
});
const address = (patch: Record<string, unknown>) =>
  order({ shippingAddress: { ...ORDER_ADDRESS, ...patch } });
const reg = (patch: Record<string, unknown>) => ({
  email: 'ann@example.com',
  password: 'twelve chars',
  name: 'Ann',
  ...patch,
});

describe('input rules (docs/api.md), unit table over the zod schemas', () => {
  const cases: [string, Parameters<typeof parseInput>[0], unknown, string[] | 'ok'][] = [
    ['register: valid', registerInput, reg({}), 'ok'],
    ['register: invalid email', registerInput, reg({ email: 'not-an-email' }), ['input.email']],
    [
      'register: email of 254 chars',
      registerInput,
      reg({ email: `${'a'.repeat(64)}@${'b'.repeat(185)}.com` }),
      'ok',
    ],
    [
      'register: email over 254',
      registerInput,
      reg({ email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }),
      ['input.email'],
    ],
    ['register: password of 11', registerInput, reg({ password: 'x'.repeat(11) }), ['input.password']],
    ['register: password of 128', registerInput, reg({ password: 'x'.repeat(128) }), 'ok'],
    ['register: password of 129', registerInput, reg({ password: 'x'.repeat(129) }), ['input.password']],
    ['register: empty name', registerInput, reg({ name: '' }), ['input.name']],
    ['register: blank name', registerInput, reg({ name: '    ' }), ['input.name']],
    ['register: name of 80', registerInput, reg({ name: 'n'.repeat(80) }), 'ok'],
    ['register: name of 81', registerInput, reg({ name: 'n'.repeat(81) }), ['input.name']],
    ['register: name with a control character', registerInput, reg({ name: 'Ann\u0000' }), ['input.name']],
    ['register: name with a bidi override', registerInput, reg({ name: 'Ann\u202Enimda' }), ['input.name']],
    ['register: unknown key (mass assignment)', registerInput, reg({ role: 'ADMIN' }), ['input']],
    ['updateProfile: unknown key', updateProfileInput, { name: 'A', email: 'x@example.com' }, ['input']],
    ['order: valid', createOrderInput, order({}), 'ok'],
    ['order: no items', createOrderInput, order({ items: [] }), ['input.items']],
    [
      'order: 50 items',
      createOrderInput,
      order({ items: Array(50).fill({ productId: ID, quantity: 1 }) }),
      'ok',
    ],
    [
      'order: 51 items',
      createOrderInput,
      order({ items: Array(51).fill({ productId: ID, quantity: 1 }) }),
      ['input.items'],
    ],
    [
      'order: quantity 0',
      createOrderInput,
      order({ items: [{ productId: ID, quantity: 0 }] }),
      ['input.items.0.quantity'],
    ],
    ['order: quantity 100', createOrderInput, order({ items: [{ productId: ID, quantity: 100 }] }), 'ok'],
    [
      'order: quantity 101',
      createOrderInput,
      order({ items: [{ productId: ID, quantity: 101 }] }),
      ['input.items.0.quantity'],
    ],
    [
      'order: bad product id',
      createOrderInput,
      order({ items: [{ productId: '1', quantity: 1 }] }),
      ['input.items.0.productId'],
    ],
    [
      'order: price in an item',
      createOrderInput,
      order({ items: [{ productId: ID, quantity: 1, unitPriceCents: 1 }] }),
      ['input.items.0'],
    ],
    ['order: line1 of 4', createOrderInput, address({ line1: '1 Rd' }), ['input.shippingAddress.line1']],
    [
      'order: line1 of 201',
      createOrderInput,
      address({ line1: 'x'.repeat(201) }),
      ['input.shippingAddress.line1'],
    ],
    ['order: city of 1', createOrderInput, address({ city: 'X' }), ['input.shippingAddress.city']],
    [
      'order: city of 101',
      createOrderInput,
      address({ city: 'x'.repeat(101) }),
      ['input.shippingAddress.city'],
    ],
    ['order: postcode lower case', createOrderInput, address({ postcode: 'sw1a 1aa' }), 'ok'],
    [
      'order: postcode too short',
      createOrderInput,
      address({ postcode: 'AB' }),
      ['input.shippingAddress.postcode'],
    ],
    [
      'order: postcode too long',
      createOrderInput,
      address({ postcode: 'ABCDEFGHIJK' }),
      ['input.shippingAddress.postcode'],
    ],
    [
      'order: postcode with <',
      createOrderInput,
      address({ postcode: '<b>12' }),
      ['input.shippingAddress.postcode'],
    ],
    ['order: bad country', createOrderInput, address({ country: 'FR' }), ['input.shippingAddress.country']],
    ['order: promo code', createOrderInput, order({ promoCode: 'SAVE-10' }), 'ok'],
    ['order: promo code of 3', createOrderInput, order({ promoCode: 'ABC' }), ['input.promoCode']],
    ['order: promo code of 21', createOrderInput, order({ promoCode: 'A'.repeat(21) }), ['input.promoCode']],
    ['order: promo code with space', createOrderInput, order({ promoCode: 'SAVE 10' }), ['input.promoCode']],
    ['order: promo code with quote', createOrderInput, order({ promoCode: "SAVE'10" }), ['input.promoCode']],
    ['review: valid', addReviewInput, { productId: ID, rating: 5, body: 'Good\nvery good' }, 'ok'],
    ['review: rating 0', addReviewInput, { productId: ID, rating: 0, body: 'x' }, ['input.rating']],
    ['review: rating 6', addReviewInput, { productId: ID, rating: 6, body: 'x' }, ['input.rating']],
    ['review: empty body', addReviewInput, { productId: ID, rating: 1, body: '  ' }, ['input.body']],
    ['review: body of 2000', addReviewInput, { productId: ID, rating: 1, body: 'b'.repeat(2000) }, 'ok'],
    [
      'review: body of 2001',
      addReviewInput,
      { productId: ID, rating: 1, body: 'b'.repeat(2001) },
      ['input.body'],
    ],
    ['review: body with NUL', addReviewInput, { productId: ID, rating: 1, body: 'a\u0000b' }, ['input.body']],
    ['api key: valid', createApiKeyInput, { name: 'ci', scopes: ['PRODUCTS_READ', 'ORDERS_READ'] }, 'ok'],
    ['api key: empty name', createApiKeyInput, { name: '', scopes: ['PRODUCTS_READ'] }, ['input.name']],
    [
      'api key: name of 81',
      createApiKeyInput,
      { name: 'k'.repeat(81), scopes: ['PRODUCTS_READ'] },
      ['input.name'],
    ],
    ['api key: no scopes', createApiKeyInput, { name: 'k', scopes: [] }, ['input.scopes']],
    [
      'api key: repeated scope',
      createApiKeyInput,
      { name: 'k', scopes: ['ORDERS_READ', 'ORDERS_READ'] },
      ['input.scopes'],
    ],
    [
      'api key: all four',
      createApiKeyInput,
      { name: 'k', scopes: ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE'] },
      'ok',
    ],
    [
      'api key: five',
      createApiKeyInput,
      {
        name: 'k',
        scopes: ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE', 'PRODUCTS_READ'],
      },
      ['input.scopes'],
    ],
  ];
  for (const [name, schema, value, expected] of cases) {
    it(`${name} → ${expected === 'ok' ? 'ok' : expected.join(', ')}`, () => {
      assert.deepEqual(check(schema, value), expected);
    });
  }

  it('normalises: email lower-cased and trimmed, name trimmed, postcode and promo code upper-cased', () => {
    assert.deepEqual(parseInput(registerInput, reg({ email: ' Ann@Example.COM ', name: '  Ann  ' })), {
      email: 'ann@example.com',
      password: 'twelve chars',
      name: 'Ann',
    });
    const parsed = parseInput(createOrderInput, address({ postcode: ' sw1a 1aa ' }));
    assert.equal(parsed.shippingAddress.postcode, 'SW1A 1AA');
  });
});

describe('DateTime scalar rejects bad literals and bad variables alike', () => {
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        echo: {
          type: DateTimeScalar,
          args: { at: { type: new GraphQLNonNull(DateTimeScalar) } },
          resolve: (_s, args: { at: Date }) => args.at,
        },
      },
    }),
  });
  const good = '2026-11-25T12:00:00.000Z';
  const bad = [
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-25',
    'yesterday',
    '2026-11-25T24:00:00Z',
    `${good}${' '.repeat(40)}`,
  ];

  it('accepts a valid value as literal and as variable, and serialises ISO-8601 UTC', async () => {
    const lit = await graphql({ schema, source: `{ echo(at: "${good}") }` });
    assert.deepEqual(JSON.parse(JSON.stringify(lit)), { data: { echo: good } });
    const vars = await graphql({
      schema,
      source: 'query($at: DateTime!) { echo(at: $at) }',
      variableValues: { at: '2026-11-25T13:30:00+01:30' },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(vars)), { data: { echo: good } });
  });
  for (const value of bad) {
    it(`refuses ${JSON.stringify(value)} as a literal and as a variable (BAD_USER_INPUT)`, async () => {
      const lit = await graphql({ schema, source: `{ echo(at: ${JSON.stringify(value)}) }` });
      assert.equal(lit.errors?.[0]?.extensions.code, 'BAD_USER_INPUT', JSON.stringify(lit));
      const vars = await graphql({
        schema,
        source: 'query($at: DateTime!) { echo(at: $at) }',
        variableValues: { at: value },
      });
      assert.equal(vars.errors?.[0]?.extensions.code, 'BAD_USER_INPUT', JSON.stringify(vars));
    });
  }
  it('refuses a number literal and a number variable', async () => {
    const lit = await graphql({ schema, source: '{ echo(at: 1700000000) }' });
    assert.equal(lit.errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    const vars = await graphql({
      schema,
      source: 'query($at: DateTime!) { echo(at: $at) }',
      variableValues: { at: 1700000000 },
    });
    assert.equal(vars.errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
  });
});

describe('zod error shape over HTTP', () => {
  let t: TestApp;
  let users: TestUser[];
  let productId: string;
  let n = 0;
  // Spread writes over a few users so the per-user field limits never interfere.
  const next = () => users[n++ % users.length] as TestUser;

  before(async () => {
    t = await startAuthzApp();
    users = await Promise.all([insertUser(t), insertUser(t), insertUser(t), insertUser(t)]);
    productId = await makeProduct(t);
  });
  after(async () => {
    await t?.stop();
  });

  const CREATE_ORDER =
    'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id shippingAddress { postcode } promoCode } }';

  async function expectFieldErrors(
    query: string,
    variables: Record<string, unknown>,
    expected: Record<string, string>,
  ) {
    const res = await t.gql(query, variables, next().headers);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.errors?.length, 1, res.text);
    const [error] = res.body.errors ?? [];
    assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', res.text);
    assert.equal(error?.message, 'Invalid input.');
    assert.deepEqual(error?.extensions?.fieldErrors, expected);
    // No value the client sent, and nothing from zod's internals, is echoed back.
    assert.doesNotMatch(res.text, /ZodError|invalid_type|too_big|stack/);
    return res;
  }

  it('nested paths: input.items.0.quantity and input.shippingAddress.postcode', async () => {
    await expectFieldErrors(
      CREATE_ORDER,
      {
        input: { items: [{ productId, quantity: 0 }], shippingAddress: { ...ORDER_ADDRESS, postcode: '!!' } },
      },
      {
        'input.items.0.quantity': 'Must be between 1 and 100.',
        'input.shippingAddress.postcode': 'Must be 3 to 10 letters, digits, spaces or dashes.',
      },
    );
  });

  it('a second item with an unknown product: input.items.1.productId', async () => {
    await expectFieldErrors(
      CREATE_ORDER,
      {
        input: {
          items: [
            { productId, quantity: 1 },
            { productId: ID, quantity: 1 },
          ],
          shippingAddress: ORDER_ADDRESS,
        },
      },
      { 'input.items.1.productId': 'No such product.' },
    );
  });

  it('every address field and the promo code at once', async () => {
    await expectFieldErrors(
      CREATE_ORDER,
      {
        input: {
          items: [{ productId, quantity: 1 }],
          shippingAddress: { line1: 'x', city: 'y', postcode: 'z', country: 'GB' },
          promoCode: 'no',
        },
      },
      {
        'input.shippingAddress.line1': 'Must be at least 5 characters.',
        'input.shippingAddress.city': 'Must be at least 2 characters.',
        'input.shippingAddress.postcode': 'Must be 3 to 10 letters, digits, spaces or dashes.',
        'input.promoCode': 'Must be 4 to 20 letters, digits or dashes.',
      },
    );
  });

  it('the legitimate order passes, normalised', async () => {
    const res = await t.gql(
      CREATE_ORDER,
      {
        input: {
          items: [{ productId, quantity: 1 }],
          shippingAddress: { ...ORDER_ADDRESS, postcode: 'sw1a 1aa' },
          promoCode: 'save-10',
        },
      },
      next().headers,
    );
    assertOk(res);
    assert.deepEqual(res.body.data?.createOrder, {
      id: (res.body.data?.createOrder as { id: string }).id,
      shippingAddress: { postcode: 'SW1A 1AA' },
      promoCode: 'SAVE-10',
    });
  });

  it('addReview: rating and body', async () => {
    await expectFieldErrors(
      'mutation($input: AddReviewInput!) { addReview(input: $input) { id } }',
      { input: { productId, rating: 9, body: 'b'.repeat(2001) } },
      { 'input.rating': 'Must be between 1 and 5.', 'input.body': 'Must be at most 2000 characters.' },
    );
  });

  it('createApiKey: name and repeated scopes', async () => {
    await expectFieldErrors(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
      { input: { name: '   ', scopes: ['ORDERS_READ', 'ORDERS_READ'] } },
      { 'input.name': 'Must not be empty.', 'input.scopes': 'Must not repeat a scope.' },
    );
  });

  it('updateProfile: name over 80', async () => {
    await expectFieldErrors(
      'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
      { input: { name: 'n'.repeat(81) } },
      { 'input.name': 'Must be at most 80 characters.' },
    );
  });

  it('plain arguments: id, search and cursor are keyed by argument name', async () => {
    await expectFieldErrors(
      'query($id: ID!) { order(id: $id) { id } }',
      { id: 'not-a-uuid' },
      { id: 'Must be a valid id.' },
    );
    await expectFieldErrors(
      'query($s: String) { products(first: 1, search: $s) { totalCount } }',
      { s: 's'.repeat(101) },
      {
        search: 'Must be at most 100 characters.',
      },
    );
    await expectFieldErrors(
      '{ products(first: 1, after: "garbage") { totalCount } }',
      {},
      { after: 'Invalid cursor.' },
    );
  });

  it('a validation failure is logged as a security event, without the submitted value', async () => {
    const marker = 'SECRET-PASSWORD-VALUE-1234';
    const res = await t.gql('mutation($input: RegisterInput!) { register(input: $input) }', {
      input: { email: 'bad', password: marker, name: 'X' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const event = t.logs.find(
      (l) => l.event === 'validation_failure' && Array.isArray(l.fields) && l.fields.includes('input.email'),
    );
    assert.ok(event, 'validation_failure logged');
    assert.equal(event.security, true);
    assert.equal(typeof event.requestId, 'string');
    assert.equal(event.viewer, 'anonymous');
    assert.ok(!t.rawLogs.some((l) => l.includes(marker)), 'the submitted value never reaches the log');
  });
});

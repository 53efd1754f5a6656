import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { assertRefused, type GqlResponse } from '../helpers/graphql.js';

// operationName is client text copied into every log line of the request (the operationName
// protection, src/security/http/operation-name.ts): only a bounded GraphQL name gets through.
describe('operationName: a GraphQL name of at most MAX_OPERATION_NAME_LENGTH characters', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { MAX_OPERATION_NAME_LENGTH: '20' } });
  });
  after(() => t.stop());

  const refused = (res: GqlResponse) => assertRefused(res, 'BAD_USER_INPUT', 400);

  it('legitimate: a named operation, a null name and no name are served', async () => {
    const named = await t.post({ query: 'query Health_1 { health }', operationName: 'Health_1' });
    assert.deepEqual(named.body.data, { health: 'ok' }, named.text);
    const longest = 'H'.repeat(20);
    const atLimit = await t.post({ query: `query ${longest} { health }`, operationName: longest });
    assert.deepEqual(atLimit.body.data, { health: 'ok' }, atLimit.text);
    assert.deepEqual((await t.post({ query: '{ health }', operationName: null })).body.data, {
      health: 'ok',
    });
    assert.deepEqual((await t.post({ query: '{ health }' })).body.data, { health: 'ok' });
  });

  it('attack: a 90 KB name is a 400 before GraphQL runs, and never reaches a log line', async () => {
    const huge = `A${'x'.repeat(90 * 1024)}`;
    const before = t.rawLogs.length;
    refused(await t.post({ query: '{ health }', operationName: huge }));
    const lines = t.rawLogs.slice(before);
    assert.ok(
      lines.some((l) => l.includes('"event":"validation_failure"')),
      'the refusal is logged',
    );
    assert.ok(
      lines.every((l) => !l.includes('x'.repeat(100))),
      'the name is not copied into the log',
    );
  });

  it('attack: one character over the limit, a non-name, a non-string, in a GET too', async () => {
    refused(await t.post({ query: '{ health }', operationName: 'H'.repeat(21) }));
    refused(await t.post({ query: '{ health }', operationName: 'a b' }));
    refused(await t.post({ query: '{ health }', operationName: '1abc' }));
    refused(await t.post({ query: '{ health }', operationName: 'x\nforged log line' }));
    refused(await t.post({ query: '{ health }', operationName: { $ne: 1 } }));
    refused(await t.post({ query: '{ health }', operationName: 42 }));
    const get = await fetch(
      `${t.url}/graphql?query=${encodeURIComponent('{ health }')}&operationName=a%20b`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    assert.equal(get.status, 400);
    assert.equal(
      ((await get.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      'BAD_USER_INPUT',
    );
  });
});

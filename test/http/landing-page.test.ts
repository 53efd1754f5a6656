import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { FALLBACK_QUERY } from '../../src/http/landing-page.js';
import { raw, startDev, startProd, VIA_HTTPS_PROXY } from './http-helpers.js';

// Apollo's embedded Sandbox loads from Apollo's CDN; offline its page says only that it cannot be
// loaded. The development page must say what to do instead, and the command it gives must work.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The text of the first <pre><code> after the fallback notice, HTML entities decoded. */
function curlOf(html: string): string {
  const block = html.slice(html.indexOf('class="sandbox-offline"'));
  const code = /<pre><code>([^<]*)<\/code><\/pre>/.exec(block)?.[1] ?? '';
  return code
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('development landing page: what to do when Sandbox cannot load', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  it('GET /graphql with Accept: text/html carries the fallback text, under the page nonce CSP', async () => {
    const res = await raw(`${t.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.text, /If Apollo Sandbox does not load \(it is served from Apollo's CDN/);
    assert.match(res.text, /docs\/walkthrough\.md/);
    // Inside Apollo's own offline notice (shown when the Sandbox iframe does not cover it).
    const fallback = res.text.indexOf('<div class="fallback">');
    const ours = res.text.indexOf('class="sandbox-offline"');
    assert.ok(fallback >= 0 && ours > fallback, 'inside the fallback notice');
    assert.ok(ours < res.text.indexOf('</div>', fallback), 'before the notice closes');
    // The page keeps its own CSP; the block's <style> carries the page's nonce.
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.ok(res.text.includes(`<style nonce="${nonce}">.sandbox-offline`), 'the style has the nonce');
    assert.doesNotMatch(res.text, / style="/, 'no inline style attribute (the CSP would block it)');
  });

  it('the curl command names this server and works as written', async () => {
    const res = await raw(`${t.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    const curl = curlOf(res.text);
    const body = JSON.stringify({ query: FALLBACK_QUERY });
    assert.equal(curl, `curl -s ${t.url}/graphql -H 'content-type: application/json' -d '${body}'`);
    // What curl sends: a POST of that body with that one header (curl adds Accept: */*).
    const sent = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: '*/*' },
      body,
    });
    assert.equal(sent.status, 200, sent.text);
    const data = (JSON.parse(sent.text) as { data: { products: { edges: { node: { name: string } }[] } } })
      .data;
    assert.equal(data.products.edges.length, 3, sent.text);
    assert.ok(data.products.edges.every((e) => e.node.name.length > 0));
  });

  it('a JSON client GET still gets JSON, not the page', async () => {
    const res = await raw(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    assert.equal(res.status, 200, res.text);
    assert.doesNotMatch(res.text, /sandbox-offline/);
  });
});

describe('production: no landing page, so no fallback either', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  it('a browser GET gets a JSON refusal without the fallback text', async () => {
    const res = await raw(`${t.url}/graphql`, { headers: { accept: BROWSER_ACCEPT, ...VIA_HTTPS_PROXY } });
    assert.notEqual(res.status, 200);
    assert.doesNotMatch(res.text, /sandbox-offline|curl/);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  });
});

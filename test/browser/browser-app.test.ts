import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { REFRESH_COOKIE } from '../../src/auth/refresh-cookie.js';
import { makeProduct } from '../authz/authz-helpers.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { IN_CI, requireService } from '../helpers/env.js';
import { insertUser, type TestUser } from '../helpers/users.js';

// Debian's chromium (as in test/http/sandbox-chromium.test.ts): locally a missing browser skips
// with the reason; in CI it is a failure, never a silent skip.
const CHROMIUM = '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install -y chromium)`;
if (noChromium && IN_CI) throw new Error(`${CHROMIUM} is required in CI for the browser example's test`);
const skip = noChromium || requireService('DATABASE_URL') || requireService('REDIS_URL');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT = { timeout: 20_000 };
const SERVE = fileURLToPath(new URL('../../examples/browser/serve.mjs', import.meta.url));
// The examples' committed manifest: the server requires it, the page sends its ids.
const MANIFEST = fileURLToPath(new URL('../../examples/trusted-documents.json', import.meta.url));
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { operations: { id: string; name: string }[] };
const operationNames = new Map(manifest.operations.map((o) => [o.id, o.name]));
const CREATE_ORDER = manifest.operations.find((o) => o.name === 'CreateOrder')?.id;

interface PageServer {
  port: number;
  stop: () => Promise<void>;
}

/** The example's own static server (examples/browser/serve.mjs), as a newcomer runs it, on a free port. */
async function startPageServer(): Promise<PageServer> {
  const child: ChildProcess = spawn(process.execPath, [SERVE, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  let port: number | undefined;
  while (port === undefined) {
    port = Number(/http:\/\/localhost:(\d+)\//.exec(out)?.[1]) || undefined;
    if (child.exitCode !== null) throw new Error(`serve.mjs exited early:\n${out}`);
    if (Date.now() - started > 15_000) {
      child.kill('SIGKILL');
      throw new Error(`serve.mjs did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One GraphQL POST the page made, as the network saw it. */
interface Call {
  /** The operation's name in the manifest, from the documentId sent ('?' for anything else). */
  op: string;
  /** The request body's keys: a trusted client sends documentId and variables, never query. */
  keys: string[];
  status: number;
  code: unknown;
  authorization: string | undefined;
  response: Response;
  /** Settles once the body has been read and `code` set. */
  read: Promise<void>;
}

/** Records the page's GraphQL POSTs to `apiUrl` in the order they were answered (not preflights). */
function recordCalls(page: Page, apiUrl: string): Call[] {
  const calls: Call[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.url() !== apiUrl || request.method() !== 'POST') return;
    const sent = JSON.parse(request.postData() ?? '{}') as { documentId?: unknown };
    const id = typeof sent.documentId === 'string' ? sent.documentId.replace(/^sha256:/, '') : '';
    const call: Call = {
      op: operationNames.get(id) ?? '?',
      keys: Object.keys(sent).sort(),
      status: response.status(),
      code: undefined,
      authorization: request.headers().authorization,
      response,
      read: response
        .json()
        .then((body: { errors?: { extensions?: { code?: unknown } }[] }) => {
          call.code = body.errors?.[0]?.extensions?.code;
        })
        .catch(() => undefined),
    };
    calls.push(call);
  });
  return calls;
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** "Op status [code]" for each call, once every body has been read. */
async function ops(calls: readonly Call[]): Promise<string[]> {
  await Promise.all(calls.map((c) => c.read));
  return calls.map((c) => `${c.op} ${c.status}${c.code ? ` ${c.code}` : ''}`);
}

describe('the browser example on another origin of the same site (headless Chromium)', { skip }, () => {
  let t: TestApp;
  let pages: PageServer;
  let browser: Browser;
  let apiUrl: string;
  let apiOrigin: string;
  let pageOrigin: string;
  let productId: string;

  before(async () => {
    pages = await startPageServer();
    pageOrigin = `http://localhost:${pages.port}`;
    // The second origin is only for the cross-site case: CORS lets it call, so what that case
    // shows is the cookie's doing, not CORS's.
    t = await startApp({
      driver: 'pg',
      redis: true,
      env: {
        CORS_ORIGINS: `${pageOrigin},http://127.0.0.1:${pages.port}`,
        HTTP_RATE_LIMIT: '100000',
        // The examples' client profiles: visitors and signed-in customers (the web app) both run in
        // require mode, so every case below does: the page's documents are the manifest's or nothing.
        PROFILES_FILE: 'examples/profiles.yaml',
        TRUSTED_DOCUMENTS_MANIFEST: MANIFEST,
      },
    });
    // startApp listens on 127.0.0.1; the page calls it by `localhost`, the page's own site.
    apiOrigin = `http://localhost:${new URL(t.url).port}`;
    apiUrl = `${apiOrigin}/graphql`;
    productId = await makeProduct(t, 1250);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await pages?.stop();
  });

  /** A fresh browser profile (no cookies) with a page that fails the test on any script error. */
  async function open(options: { clock?: boolean } = {}) {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    if (options.clock) await page.clock.install();
    const calls = recordCalls(page, apiUrl);
    return { context, page, calls, pageErrors };
  }

  /** An order placed through the API, by the manifest's CreateOrder (the server refuses any text). */
  async function makeOrder(user: TestUser, product: string): Promise<void> {
    const res = await t.post(
      {
        documentId: `sha256:${CREATE_ORDER}`,
        variables: {
          input: { items: [{ productId: product, quantity: 1 }], shippingAddress: ORDER_ADDRESS },
        },
      },
      user.headers,
    );
    if (!(res.body.data?.createOrder as { id?: string } | undefined)?.id)
      throw new Error(`createOrder failed: ${res.text}`);
  }

  /** A user with `orders` orders, signed in through the page's form. */
  async function signIn(page: Page, origin = pageOrigin, orders = 2): Promise<TestUser> {
    const user = await insertUser(t);
    for (let i = 0; i < orders; i++) await makeOrder(user, productId);
    await page.goto(`${origin}/?api=${encodeURIComponent(apiUrl)}`);
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('body[data-state="signed-in"]', WAIT);
    return user;
  }

  const orderRows = (page: Page) => page.locator('#orders tr').count();
  const refreshCookie = async (context: BrowserContext) =>
    (await context.cookies(apiOrigin)).find((c) => c.name === REFRESH_COOKIE);
  const shownError = (page: Page) => page.locator('#error').getAttribute('data-code');

  it('signs in through the form and lists the viewer’s orders; the cookie is httpOnly, Secure, SameSite=Strict', async () => {
    const { context, page, calls, pageErrors } = await open();
    const user = await signIn(page);
    assert.equal(await orderRows(page), 2);
    assert.match((await page.textContent('#who')) ?? '', new RegExp(user.email.replace(/\./g, '\\.')));

    const login = calls.find((c) => c.op === 'BrowserLogin');
    assert.ok(login, (await ops(calls)).join(', '));
    assert.equal(login.authorization, undefined, 'login carries no bearer token');
    const setCookie = (await login.response.headerValue('set-cookie')) ?? '';
    assert.match(setCookie, new RegExp(`^${REFRESH_COOKIE}=`));
    assert.match(setCookie, /; HttpOnly/i);
    assert.match(setCookie, /; Secure/i);
    assert.match(setCookie, /; SameSite=Strict/i);
    assert.match(setCookie, /; Path=\//i);
    // Chromium kept it on plain http: localhost is a secure context, so Secure and __Host- hold.
    const cookie = await refreshCookie(context);
    assert.ok(cookie, 'Chromium stored the refresh cookie for localhost');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.domain, 'localhost');

    const myOrders = calls.find((c) => c.op === 'BrowserOrders');
    assert.match(myOrders?.authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('require mode (examples/profiles.yaml): the page sends only ids from the committed manifest, which serve.mjs serves', async () => {
    const { context, page, calls, pageErrors } = await open();
    await signIn(page);
    await page.click('#logout');
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    // Every operation of examples/browser/operations, each named by its id: no text ever sent.
    assert.deepEqual(await ops(calls), [
      'BrowserRefresh 200 UNAUTHENTICATED',
      'BrowserLogin 200',
      'BrowserOrders 200',
      'BrowserLogout 200',
    ]);
    for (const call of calls)
      assert.deepEqual(
        call.keys.filter((k) => k !== 'variables'),
        ['documentId'],
        call.op,
      );
    const served = await fetch(`${pageOrigin}/trusted-documents.json`);
    assert.equal(served.status, 200);
    assert.equal(await served.text(), readFileSync(MANIFEST, 'utf8'));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('require mode (examples/profiles.yaml): a document not in the manifest, even from the allowed page, is refused with 400', async () => {
    const { context, page, pageErrors } = await open();
    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(apiUrl)}`);
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    // What the page sent before it had a manifest: its operation as inline text.
    const answer = await page.evaluate(async (url) => {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'mutation Logout { logout }' }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }, apiUrl);
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    const error = (answer.body as { errors?: { extensions?: { code?: string; reason?: string } }[] })
      .errors?.[0];
    assert.equal(error?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(error?.extensions?.reason, 'TRUSTED_DOCUMENT_REQUIRED');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('a reload stays signed in through the cookie; the token is in memory only', async () => {
    const { context, page, calls, pageErrors } = await open();
    await signIn(page);
    // Cookies are per host, not per port: the page's origin (localhost) would see the refresh
    // cookie in document.cookie if it were not httpOnly.
    assert.deepEqual(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]'), [
      0,
      0,
      '',
    ]);
    const before = calls.length;
    await page.reload();
    await page.waitForSelector('body[data-state="signed-in"]', WAIT);
    assert.equal(await orderRows(page), 2);
    const afterReload = calls.slice(before);
    assert.deepEqual(await ops(afterReload), ['BrowserRefresh 200', 'BrowserOrders 200']);
    assert.equal(afterReload[0]?.authorization, undefined, 'refreshSession is sent with the cookie only');
    assert.match(afterReload[1]?.authorization ?? '', /^Bearer /);
    assert.deepEqual(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]'), [
      0,
      0,
      '',
    ]);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('refreshes proactively when the clock passes expiresAt, and the new token is used', async () => {
    const { context, page, calls, pageErrors } = await open({ clock: true });
    await signIn(page, pageOrigin, 1);
    const firstToken = calls.find((c) => c.op === 'BrowserOrders')?.authorization;
    const before = calls.length;
    // Past the 15-minute token's expiresAt: the timer set for a minute before it fires now.
    await page.clock.fastForward('16:00');
    await until('the proactive refresh', () => calls.slice(before).some((c) => c.op === 'BrowserRefresh'));
    await page.click('#reload-orders');
    await until('the orders request', () => calls.slice(before).some((c) => c.op === 'BrowserOrders'));
    await page.waitForSelector('body[data-state="signed-in"]', WAIT);
    assert.deepEqual(
      await ops(calls.slice(before)),
      ['BrowserRefresh 200', 'BrowserOrders 200'],
      'refreshed before any 401',
    );
    const newToken = calls.at(-1)?.authorization;
    assert.match(newToken ?? '', /^Bearer /);
    assert.notEqual(newToken, firstToken);
    // The next refresh is planned from the token's own lifetime, not this page's (now wrong)
    // clock: another minute later there is still only the one refresh, not a loop.
    await page.clock.runFor(60_000);
    await page.waitForTimeout(300);
    assert.equal(
      calls.slice(before).filter((c) => c.op === 'BrowserRefresh').length,
      1,
      (await ops(calls)).join(', '),
    );
    assert.equal(await shownError(page), null);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('a request answered 401 UNAUTHENTICATED refreshes once and retries', async () => {
    const { context, page, calls, pageErrors } = await open();
    const user = await signIn(page, pageOrigin, 1);
    // The server revokes every access token of the user (as logoutEverywhere does, without
    // ending the refresh session): the page's token is now refused for real.
    await t.app.db.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [user.id]);
    const before = calls.length;
    await page.click('#reload-orders');
    await until('the retried request', () => calls.slice(before).length >= 3);
    await page.waitForSelector('body[data-state="signed-in"]', WAIT);
    assert.deepEqual(await ops(calls.slice(before)), [
      'BrowserOrders 401 UNAUTHENTICATED',
      'BrowserRefresh 200',
      'BrowserOrders 200',
    ]);
    assert.equal(await orderRows(page), 1);
    assert.equal(await shownError(page), null);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('signs out: the cookie is cleared and a reload is signed out', async () => {
    const { context, page, calls, pageErrors } = await open();
    await signIn(page);
    await page.click('#logout');
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    assert.equal(await orderRows(page), 0);
    assert.equal(await refreshCookie(context), undefined);
    const before = calls.length;
    await page.reload();
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    assert.deepEqual(await ops(calls.slice(before)), ['BrowserRefresh 200 UNAUTHENTICATED']);
    // "Not signed in" is the normal state, not an error to show.
    assert.equal(await shownError(page), null);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('shows a refused sign-in by its code', async () => {
    const { context, page, pageErrors } = await open();
    const user = await insertUser(t);
    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(apiUrl)}`);
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', 'not-the-right-password');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#error:not([hidden])', WAIT);
    assert.equal(await shownError(page), 'UNAUTHENTICATED');
    assert.match((await page.textContent('#error')) ?? '', /^UNAUTHENTICATED: /);
    assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('an origin missing from CORS_ORIGINS: the page sees a failed fetch and shows NETWORK_ERROR', async () => {
    const { context, page, calls, pageErrors } = await open();
    const user = await insertUser(t);
    // Chromium resolves every *.localhost name to loopback: the same page server, an unlisted origin.
    await page.goto(`http://app.localhost:${pages.port}/?api=${encodeURIComponent(apiUrl)}`);
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('#error:not([hidden])', WAIT);
    assert.equal(await shownError(page), 'NETWORK_ERROR');
    assert.match((await page.textContent('#error')) ?? '', /CORS_ORIGINS/);
    assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
    // The preflight was answered without CORS headers, so no POST was ever sent.
    assert.deepEqual(await ops(calls), []);
    assert.equal(await refreshCookie(context), undefined);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('cross-site (page on 127.0.0.1, API on localhost): signed in until a reload, then the cookie is missing', async () => {
    const { context, page, calls, pageErrors } = await open();
    await signIn(page, `http://127.0.0.1:${pages.port}`, 1);
    // The token in memory works: CORS allowed this origin, and the bearer header needs no cookie.
    assert.equal(await orderRows(page), 1);
    const login = calls.find((c) => c.op === 'BrowserLogin');
    assert.match((await login?.response.headerValue('set-cookie')) ?? '', new RegExp(`^${REFRESH_COOKIE}=`));
    // The server did send the cookie; Chromium refused to store it, 127.0.0.1 and localhost being
    // different sites (it reports third-party cookie blocking; SameSite=Strict would refuse it too).
    assert.equal(await refreshCookie(context), undefined);
    const before = calls.length;
    await page.reload();
    await page.waitForSelector('body[data-state="signed-out"]', WAIT);
    assert.deepEqual(await ops(calls.slice(before)), ['BrowserRefresh 200 UNAUTHENTICATED']);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});

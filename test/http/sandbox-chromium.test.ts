import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { IN_CI } from '../helpers/env.js';
import { startDev } from './http-helpers.js';

// Debian's chromium, installed by .ci/run. Locally it may be missing: skip with the reason; in CI
// a missing browser is a failure, never a silent skip.
const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install -y chromium)`;
if (skip && IN_CI) throw new Error(`${CHROMIUM} is required in CI for the Sandbox CSP check`);

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

interface Violation {
  directive: string;
  blocked: string;
}

// Runs in the page (this project compiles without the DOM library, hence a string).
const COLLECT_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI });
  });
`;

/**
 * Loads a URL the way a developer's browser does and collects every CSP violation, both from
 * `securitypolicyviolation` events and from the console. This machine (and CI) has no internet:
 * Apollo's CDN script cannot load, so the Sandbox UI itself never renders here. What the test
 * proves is that our headers block nothing the page needs: requests to other hosts are aborted
 * (a network failure, not a CSP one), and the nonce'd inline script and style are allowed to run.
 */
async function visit(browser: Browser, url: string, rewriteCsp?: string) {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  const consoleViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript({ content: COLLECT_VIOLATIONS });
  const origin = new URL(url).origin;
  await page.route('**/*', async (route) => {
    const target = route.request().url();
    if (!target.startsWith(origin)) return route.abort();
    if (rewriteCsp === undefined) return route.continue();
    // Negative control: the same page served under a different policy.
    const response = await route.fetch();
    return route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': rewriteCsp },
    });
  });
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForTimeout(500);
  const violations = (await page.evaluate('window.__cspViolations')) as Violation[];
  const fallbackPadding = (await page
    .evaluate('getComputedStyle(document.querySelector(".fallback")).paddingTop')
    .catch(() => 'missing')) as string;
  // What a developer reads when the Sandbox cannot load (innerText: only rendered, visible text).
  const offlineText = (await page
    .evaluate('document.querySelector(".sandbox-offline")?.innerText ?? ""')
    .catch(() => '')) as string;
  const headers = response?.headers() ?? {};
  await context.close();
  return {
    status: response?.status(),
    headers,
    violations,
    consoleViolations,
    pageErrors,
    fallbackPadding,
    offlineText,
  };
}

describe('Apollo Sandbox in development loads under our CSP (headless Chromium)', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    t = await startDev();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('the landing page raises no CSP violation, and its nonce script and style run', async () => {
    const r = await visit(browser, `${t.url}/graphql`);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-security-policy'] ?? '', /'nonce-/);
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.consoleViolations, []);
    // The nonce'd <style> applied (.fallback { padding: 1em })...
    assert.equal(r.fallbackPadding, '16px');
    // ...and the nonce'd inline script ran: it calls the CDN's EmbeddedSandbox, which could not
    // load offline. That error proves the script was allowed to execute.
    assert.ok(
      r.pageErrors.some((e) => /EmbeddedSandbox/.test(e)),
      `expected the inline script to run: ${JSON.stringify(r.pageErrors)}`,
    );
  });

  it('offline, the page shows what to do instead: a curl command for this server and the walk-through', async () => {
    const r = await visit(browser, `${t.url}/graphql`);
    assert.match(r.offlineText, /If Apollo Sandbox does not load/);
    assert.ok(
      r.offlineText.includes(`curl -s ${t.url}/graphql -H 'content-type: application/json'`),
      r.offlineText,
    );
    assert.match(r.offlineText, /docs\/walkthrough\.md/);
    // The block's own style carries the page's nonce: still no CSP violation.
    assert.deepEqual(r.violations, []);
  });

  it('negative control: the same page under the JSON policy is blocked, and the test sees it', async () => {
    const r = await visit(browser, `${t.url}/graphql`, "default-src 'none'; frame-ancestors 'none'");
    assert.ok(r.violations.length + r.consoleViolations.length > 0, 'violations are detected');
    assert.ok(r.violations.some((v) => /script-src|style-src/.test(v.directive)));
    assert.ok(!r.pageErrors.some((e) => /EmbeddedSandbox/.test(e)), 'the inline script must not run');
  });
});

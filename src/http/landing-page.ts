import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext, LandingPage } from '@apollo/server';

/** The query the fallback's curl example sends: public, cheap, and it shows the seeded demo data. */
export const FALLBACK_QUERY = '{ products(first: 3) { edges { node { name } } } }';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The curl command of the fallback, for the GraphQL endpoint at `endpoint`. */
export const fallbackCurl = (endpoint: string) =>
  `curl -s ${endpoint} -H 'content-type: application/json' -d '${JSON.stringify({ query: FALLBACK_QUERY })}'`;

/**
 * The block added to Apollo's offline notice. Plain HTML: the page's CSP allows no inline style
 * attribute and no script but Apollo's nonce'd ones; its one <style> carries that same nonce.
 */
function fallbackBlock(endpoint: string, nonce: string | undefined): string {
  const style = nonce
    ? `<style nonce="${escapeHtml(nonce)}">.sandbox-offline pre { white-space: pre-wrap; word-break: break-all; }</style>`
    : '';
  return `${style}
  <div class="sandbox-offline">
    <p>If Apollo Sandbox does not load (it is served from Apollo's CDN, which this browser cannot reach),
    send requests with curl instead, for example:</p>
    <pre><code>${escapeHtml(fallbackCurl(endpoint))}</code></pre>
    <p>Every step of the walk-through is also given as a curl command: see <code>docs/walkthrough.md</code>
    in the repository.</p>
  </div>
`;
}

// Apollo's page: `<div class="fallback"> <h1>…</h1> <p>Apollo Sandbox cannot be loaded…</p> </div>`,
// shown when the Sandbox iframe does not cover it; its scripts and styles carry `nonce="…"`.
const FALLBACK_OPEN = '<div class="fallback">';
const NONCE = /nonce="?([A-Za-z0-9+/=_-]{16,128})/;

/** Adds the block inside Apollo's offline notice, or before </body> should that notice move. */
export function addSandboxFallback(html: string, endpoint: string): string {
  const block = fallbackBlock(endpoint, NONCE.exec(html)?.[1]);
  const open = html.indexOf(FALLBACK_OPEN);
  const close = open < 0 ? -1 : html.indexOf('</div>', open);
  const at = close >= 0 ? close : html.lastIndexOf('</body>');
  return at < 0 ? `${html}${block}` : `${html.slice(0, at)}${block}${html.slice(at)}`;
}

/** `http(s)://host:port/graphql` of a listening server (IPv6 hosts bracketed); undefined before listen(). */
export function graphqlEndpoint(server: http.Server, host: string, tls: boolean): string | undefined {
  const address = server.address();
  if (address === null || typeof address === 'string') return undefined;
  const name = host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${name}:${address.port}/graphql`;
}

/**
 * The development landing page (Apollo's embedded Sandbox) with a way forward when the Sandbox
 * cannot load: offline, or behind a network that blocks Apollo's CDN, Apollo's page says only that
 * it cannot be loaded. This wrapper adds a curl command for this server and points to the
 * walk-through. `endpoint` is read at render time (the port is known once the server listens).
 */
export function withSandboxFallback<TContext extends BaseContext>(
  landingPage: ApolloServerPlugin<TContext>,
  endpoint: () => string | undefined,
): ApolloServerPlugin<TContext> {
  return {
    async serverWillStart(service) {
      const listener = await landingPage.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!listener || !render) return listener;
      return {
        ...listener,
        async renderLandingPage(): Promise<LandingPage> {
          const page = await render.call(listener);
          const html = async () => {
            const original = typeof page.html === 'string' ? page.html : await page.html();
            return addSandboxFallback(original, endpoint() ?? 'http://HOST:PORT/graphql');
          };
          return { html };
        },
      };
    },
  };
}

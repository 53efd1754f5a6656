// A browser client for the API with no framework and no build step: sign in, list the viewer's
// orders, stay signed in across reloads through the httpOnly refresh cookie, sign out.
// The rules it follows (same site, credentials: 'include', CORS_ORIGINS) are in docs/browser.md.
/* global document, location, navigator, atob, URLSearchParams, FormData */

const DEFAULT_API = 'http://localhost:4000/graphql';
/** Refresh this long before the access token expires, so no request is sent with a dead one. */
const REFRESH_MARGIN_MS = 60_000;
/** Never schedule refreshes closer together than this, whatever the token says. */
const MIN_REFRESH_DELAY_MS = 10_000;

// The operations are examples/browser/operations/*.graphql, and the page sends each one's id only
// (`documentId`), never its text: ids from the examples' trusted-documents manifest, which
// serve.mjs serves beside this file. A server started with that manifest runs them, in
// TRUSTED_DOCUMENTS=require mode too, where it refuses any text not in the manifest.
const LOGIN = 'BrowserLogin';
const REFRESH = 'BrowserRefresh';
const LOGOUT = 'BrowserLogout';
const MY_ORDERS = 'BrowserOrders';

/** Friendlier words for the codes a user can act on; any other code is shown with the server's message. */
const HINTS = {
  NETWORK_ERROR:
    "The API could not be reached: is it running, and is this page's origin listed in CORS_ORIGINS?",
  RATE_LIMITED: 'Too many requests.',
};

const api = apiUrl();
/** Operation name → manifest id, fetched once from the page's own server. */
const documentIds = loadDocumentIds();

// The session lives in these variables only: never localStorage or sessionStorage, where any
// script on the origin (an XSS) could read it. A reload forgets it; the refresh cookie restores it.
let accessToken = null;
let user = null;
let refreshTimer;
/** The refresh in flight, shared: two concurrent refreshes would look like token reuse to the server. */
let refreshing = null;

class ApiError extends Error {
  constructor(code, message, extensions = {}) {
    super(message);
    this.code = code;
    this.extensions = extensions;
  }
}

/** `?api=` overrides the API's URL (http or https only); anything else falls back to the default. */
function apiUrl() {
  const given = new URLSearchParams(location.search).get('api');
  if (!given) return DEFAULT_API;
  try {
    const url = new URL(given);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : DEFAULT_API;
  } catch {
    return DEFAULT_API;
  }
}

/** The manifest's ids by operation name, or the Error that prevented loading it (shown on first use). */
async function loadDocumentIds() {
  try {
    const response = await fetch('trusted-documents.json');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const manifest = await response.json();
    return new Map(manifest.operations.map((operation) => [operation.name, operation.id]));
  } catch (error) {
    return error;
  }
}

/** The `sha256:` id of an operation of examples/browser/operations; rejects with an ApiError if there is none. */
async function documentId(operation) {
  const ids = await documentIds;
  if (ids instanceof Error)
    throw new ApiError(
      'MANIFEST_UNAVAILABLE',
      `trusted-documents.json could not be loaded (${ids.message}).`,
    );
  const id = ids.get(operation);
  if (!id) throw new ApiError('MANIFEST_UNAVAILABLE', `${operation} is not in trusted-documents.json.`);
  return `sha256:${id}`;
}

/**
 * One GraphQL request. Always credentials: 'include' (the refresh cookie goes to another origin)
 * and a JSON body, which also satisfies the server's CSRF check (it refuses simple requests).
 * Resolves with `data`; rejects with an ApiError carrying the first error's `extensions.code`,
 * whatever the HTTP status (a 401 or 429 has the same error shape as a 200 with errors).
 */
async function graphql(operation, variables, { withToken = true } = {}) {
  const request = JSON.stringify({ documentId: await documentId(operation), variables });
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
  };
  if (withToken && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let response;
  try {
    response = await fetch(api, {
      method: 'POST',
      credentials: 'include',
      headers,
      body: request,
    });
  } catch {
    // A CORS refusal and a server that is down look the same to a page: a failed fetch.
    throw new ApiError('NETWORK_ERROR', 'The request did not reach the API.');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (a proxy's error page): reported by status below
  }
  const first = body?.errors?.[0];
  if (first)
    throw new ApiError(first.extensions?.code ?? `HTTP_${response.status}`, first.message, first.extensions);
  if (!response.ok || !body?.data)
    throw new ApiError(`HTTP_${response.status}`, 'Unexpected answer from the API.');
  return body.data;
}

/** The access token's lifetime in ms, from its own iat/exp: the device's clock may be wrong. */
function lifetimeMs(token, expiresAt) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { iat, exp } = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')));
    if (Number.isFinite(iat) && Number.isFinite(exp)) return (exp - iat) * 1000;
  } catch {
    // not a JWT we can read: fall back to expiresAt on this device's clock
  }
  return Date.parse(expiresAt) - Date.now();
}

function startSession(payload) {
  accessToken = payload.accessToken;
  user = payload.user;
  clearTimeout(refreshTimer);
  const delay = Math.max(
    lifetimeMs(payload.accessToken, payload.expiresAt) - REFRESH_MARGIN_MS,
    MIN_REFRESH_DELAY_MS,
  );
  // Proactive: a new token before this one expires. A timer delayed past expiry (a sleeping
  // laptop, a background tab) is covered by the reactive retry in `authed`.
  refreshTimer = setTimeout(() => {
    refresh().then((ok) => {
      if (!ok) showSignedOut('Your session has ended: please sign in again.');
    });
  }, delay);
}

function endSession() {
  accessToken = null;
  user = null;
  clearTimeout(refreshTimer);
}

/**
 * Rotates the refresh cookie for a new access token. Sent without the Authorization header: only
 * the cookie matters, and a stale token beside it must not spoil the request. Serialised across
 * this page's tabs as well (Web Locks), since they share the cookie. Resolves true when signed in.
 */
function refresh() {
  refreshing ??= (async () => {
    try {
      const run = () => graphql(REFRESH, undefined, { withToken: false });
      const data = navigator.locks ? await navigator.locks.request('sgql-refresh', run) : await run();
      startSession(data.refreshSession);
      return true;
    } catch (error) {
      endSession();
      // UNAUTHENTICATED is the normal "no session" answer; anything else is worth showing.
      if (error.code !== 'UNAUTHENTICATED') showError(error);
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A request as the signed-in user: on UNAUTHENTICATED, one refresh and one retry, no more. */
async function authed(operation, variables) {
  try {
    return await graphql(operation, variables);
  } catch (error) {
    if (error.code !== 'UNAUTHENTICATED' || !accessToken) throw error;
    if (!(await refresh())) throw error;
    return graphql(operation, variables);
  }
}

// ---- the page ----

const $ = (id) => document.getElementById(id);

function setState(state, status) {
  document.body.dataset.state = state;
  $('login').hidden = state !== 'signed-out';
  $('account').hidden = state !== 'signed-in';
  $('status').textContent = status;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
  delete $('error').dataset.code;
}

/** Shows an error by its code (data-code too, for scripts and tests); text only, never HTML. */
function showError(error) {
  const code = error.code ?? 'ERROR';
  let text = HINTS[code] ?? error.message;
  if (code === 'RATE_LIMITED' && error.extensions?.retryAfter)
    text += ` Try again in ${error.extensions.retryAfter} s.`;
  $('error').dataset.code = code;
  $('error').textContent = `${code}: ${text}`;
  $('error').hidden = false;
}

function showSignedOut(status = 'Signed out.') {
  endSession();
  $('orders').replaceChildren();
  $('order-count').textContent = '';
  setState('signed-out', status);
}

function renderOrders(connection) {
  const rows = connection.edges.map(({ node }) => {
    const tr = document.createElement('tr');
    tr.dataset.orderId = node.id;
    const items = node.items.map((item) => `${item.quantity} × ${item.product.name}`).join(', ');
    for (const text of [
      new Date(node.createdAt).toLocaleString(),
      node.status,
      items,
      (node.totalCents / 100).toFixed(2),
    ]) {
      const td = document.createElement('td');
      td.textContent = text; // user-supplied names: text, never innerHTML
      tr.append(td);
    }
    return tr;
  });
  $('orders').replaceChildren(...rows);
  $('order-count').textContent =
    connection.totalCount === 0
      ? 'No orders yet.'
      : `${connection.totalCount} order(s)${connection.totalCount > rows.length ? `, the latest ${rows.length} shown` : ''}.`;
}

async function loadOrders() {
  clearError();
  try {
    const data = await authed(MY_ORDERS);
    $('who').textContent = `${user.name} <${user.email}>`;
    renderOrders(data.myOrders);
    setState('signed-in', 'Signed in.');
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED') showSignedOut('Your session has ended: please sign in again.');
    showError(error);
  }
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError();
  const form = new FormData(event.target);
  try {
    const data = await graphql(
      LOGIN,
      { input: { email: form.get('email'), password: form.get('password') } },
      { withToken: false },
    );
    startSession(data.login);
    event.target.reset();
    await loadOrders();
  } catch (error) {
    showError(error);
  }
});

$('reload-orders').addEventListener('click', () => loadOrders());

$('logout').addEventListener('click', async () => {
  clearError();
  try {
    // The cookie names the session to end; no bearer token needed (it may be stale).
    await graphql(LOGOUT, undefined, { withToken: false });
    showSignedOut();
  } catch (error) {
    showError(error);
  }
});

// On load: the token is gone with the old page, the cookie is not. One refresh decides.
$('api').textContent = api;
if (await refresh()) await loadOrders();
else setState('signed-out', 'Not signed in.');

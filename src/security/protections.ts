import { documentLimitsProtection } from './document/document-limits.js';
import { introspectionProtection } from './document/introspection.js';
import { persistedQueriesProtection } from './document/persisted-queries.js';
import { authProtection } from './execution/auth-directive.js';
import { costProtection } from './execution/cost-budget.js';
import { rateLimitProtection } from './execution/rate-limit.js';
import { executionTimeoutProtection } from './execution/timeout.js';
import { batchLimitProtection } from './http/batch-limit.js';
import { bodyLimitProtection } from './http/body-limit.js';
import { clientLimitProtection } from './http/client-limit.js';
import { corsProtection } from './http/cors.js';
import { headersProtection } from './http/headers.js';
import { httpsProtection } from './http/https.js';
import { csrfProtection, methodsProtection } from './http/methods.js';
import { trustedDocumentsProtection } from './http/trusted-documents.js';
import { operationNameProtection } from './http/operation-name.js';
import { requestIdProtection } from './http/request-id.js';
import { serverTimeoutsProtection } from './http/server-timeouts.js';
import { variablesLimitProtection } from './http/variables-limit.js';
import { maskingProtection } from './response/masked-errors.js';
import { responseGuardsProtection } from './response/response-guards.js';

/**
 * The whole defence, in the order a request meets it. Adding a protection: one file that exports
 * a defineProtection(...), and one line here. Its options become environment variables
 * (config.ts composes them), its pieces are wired by protect().
 */
export const PROTECTIONS = [
  // ── http: before anything is parsed ──────────────────────────────────────────────────────
  serverTimeoutsProtection, // slow clients cannot hold sockets (slowloris, slow bodies)
  requestIdProtection, // first: every later log line and error names the request
  headersProtection, // helmet + strict CSP on every response
  corsProtection, // exact origin allowlist; preflights answered here
  httpsProtection, // production: plain HTTP refused (probes exempt)
  methodsProtection, // /graphql: GET and POST only
  clientLimitProtection, // per-client request limit, before the body is read
  bodyLimitProtection, // JSON body with a hard size limit
  batchLimitProtection, // batches off in production, else capped and charged
  operationNameProtection, // a bounded GraphQL name: it is copied into every log line
  variablesLimitProtection, // variables: an object of bounded depth and size, before anything walks them
  csrfProtection, // no operation from a request a browser sends cross-site unasked
  trustedDocumentsProtection, // ids from the manifest; unknown documents logged or refused before parsing
  // (authentication runs here, once per request: see createApp)
  // ── document: parse and validate, pure rules, no I/O ─────────────────────────────────────
  documentLimitsProtection, // tokens, aliases, directives, root fields, spreads, depth
  introspectionProtection, // none in production
  persistedQueriesProtection, // no automatic persisted queries (a cache shared by every client)
  // ── execution: the first listed wraps outermost, so runs first ────────────────────────────
  costProtection, // price the operation, reserve it in the viewer's budget
  authProtection, // @auth / @public on every field, before its resolver
  rateLimitProtection, // @rateLimit per viewer and field (a refused viewer spends nothing)
  executionTimeoutProtection, // deadline at the resolvers
  // ── response ─────────────────────────────────────────────────────────────────────────────
  responseGuardsProtection, // items and bytes really produced: past a cap, RESPONSE_TOO_LARGE, no data
  maskingProtection, // only public codes leave; the rest is logged under the request id
] as const;

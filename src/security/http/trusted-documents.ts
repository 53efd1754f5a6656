import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { securityEvent, identityFields } from '../../audit/audit.js';
import { ErrorCode, HttpError } from '../../errors.js';
import { requestIdentity } from '../../http/request-state.js';
import { defineProtection } from '../protection.js';
import type { Profile } from '../profiles.js';

/**
 * Trusted documents: the operations a client may run, known in advance from a manifest in Apollo's
 * persisted-query manifest format (ids are the SHA-256 of each document's text). A request names
 * one by `documentId` (the GraphQL-over-HTTP persisted-documents proposal; `sha256:<hex>` or the
 * bare hex) or `extensions.persistedQuery.sha256Hash`, or sends the text itself. The mode:
 * - `off`: any document; an id from the manifest is still resolved;
 * - `log`: any document; one not in the manifest is logged (`untrusted_document`) and counted;
 * - `require`: a document not in the manifest is refused before it is parsed (400, reason
 *   `TRUSTED_DOCUMENT_REQUIRED`).
 * An id the manifest does not hold is refused in every mode (400, reason `UNKNOWN_DOCUMENT`):
 * there is no text to run.
 */

export const TRUSTED_DOCUMENT_REQUIRED = 'TRUSTED_DOCUMENT_REQUIRED';
export const UNKNOWN_DOCUMENT = 'UNKNOWN_DOCUMENT';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256'),
      name: z.string(),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/** The manifest's documents by id; a bad file stops the start with the key that is wrong. */
export function loadManifest(path: string): ReadonlyMap<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const documents = new Map<string, string>();
  parsed.data.operations.forEach((op, i) => {
    if (sha256(op.body) !== op.id)
      throw new Error(`${path}: operations.${i}.id is not the SHA-256 of its body`);
    documents.set(op.id, op.body);
  });
  return documents;
}

const refusal = (message: string, reason: string) =>
  new HttpError(400, ErrorCode.BAD_USER_INPUT, message, { reason });

type Params = Record<string, unknown>;

/** The id a request names its document by, if any. */
function documentIdOf(params: Params): string | undefined {
  const id = params.documentId;
  if (typeof id === 'string') return id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
  const extensions = params.extensions;
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } }).persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

export function trustDocuments({
  documents,
  log,
  profileOf,
}: {
  documents: ReadonlyMap<string, string>;
  log: Logger;
  /** The request's client profile: its `trustedDocuments` mode, and whether it only measures. */
  profileOf: (req: Request) => Promise<Profile>;
}): RequestHandler {
  /** Resolves one operation's parameters in place; a refusal, or undefined. */
  const check = (params: Params, req: Request, profile: Profile): HttpError | undefined => {
    const mode = profile.trustedDocuments;
    const id = documentIdOf(params);
    if (id !== undefined && typeof params.query !== 'string') {
      const body = documents.get(id);
      if (body === undefined) return refusal('Unknown document id.', UNKNOWN_DOCUMENT);
      // The text Apollo parses is the manifest's; the id fields are spent here (APQ is off).
      params.query = body;
      delete params.documentId;
      if (typeof params.extensions === 'object' && params.extensions !== null)
        delete (params.extensions as { persistedQuery?: unknown }).persistedQuery;
      return undefined;
    }
    if (mode === 'off' || typeof params.query !== 'string') return undefined;
    if (documents.has(sha256(params.query))) return undefined;
    const measured = mode === 'require' && profile.measure.has('trustedDocuments');
    if (mode === 'require' && !measured)
      return refusal(
        'Only trusted documents run here: send a documentId from the manifest.',
        TRUSTED_DOCUMENT_REQUIRED,
      );
    // log mode, or require in measure mode (served, and logged as the refusal it would have been).
    securityEvent(log, measured ? 'would_refuse' : 'untrusted_document', {
      ...identityFields(requestIdentity(req)),
      protection: 'trustedDocuments',
      mode,
      ...(measured ? { code: ErrorCode.BAD_USER_INPUT, reason: TRUSTED_DOCUMENT_REQUIRED } : {}),
      operationName: typeof params.operationName === 'string' ? params.operationName : null,
    });
    return undefined;
  };
  const run = (req: Request, profile: Profile): HttpError | undefined => {
    if (req.method === 'GET') {
      // Express 5's req.query cannot be rewritten: ids are resolved in POST bodies only.
      const params = req.query as Params;
      if (params.documentId !== undefined)
        return refusal('Send a documentId in a POST body.', UNKNOWN_DOCUMENT);
      return check({ query: params.query, operationName: params.operationName }, req, profile);
    }
    const body: unknown = req.body;
    for (const op of Array.isArray(body) ? body : [body]) {
      if (typeof op !== 'object' || op === null) continue;
      const refused = check(op as Params, req, profile);
      if (refused) return refused;
    }
    return undefined;
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    profileOf(req).then((profile) => next(run(req, profile)), next);
  };
}

export const trustedDocumentsProtection = defineProtection({
  name: 'trustedDocuments',
  phase: 'http',
  summary:
    'Trusted documents (Apollo manifest format): ids resolved from the manifest; `log` records documents not in it, `require` refuses them before parsing (400, reason TRUSTED_DOCUMENT_REQUIRED).',
  env: z
    .object({
      TRUSTED_DOCUMENTS: z
        .enum(['off', 'log', 'require'])
        .default('off')
        .describe(
          'off: any document; log: unknown documents logged and counted; require: unknown documents refused.',
        ),
      // Read and checked with the configuration: a bad manifest stops the start before anything opens.
      TRUSTED_DOCUMENTS_MANIFEST: z
        .string()
        .min(1)
        .transform((path, ctx) => {
          try {
            return loadManifest(path);
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
            return z.NEVER;
          }
        })
        .optional()
        .describe(
          'Path of the manifest (npm run trusted-documents builds one); required by log and require.',
        ),
    })
    .superRefine((env, ctx) => {
      if (env.TRUSTED_DOCUMENTS !== 'off' && env.TRUSTED_DOCUMENTS_MANIFEST === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['TRUSTED_DOCUMENTS_MANIFEST'],
          message: `is required when TRUSTED_DOCUMENTS=${env.TRUSTED_DOCUMENTS}`,
        });
    }),
  // TRUSTED_DOCUMENTS is the default profile's mode; each client profile may set its own.
  create: (options, { log, profileOf }) => {
    const documents = options.TRUSTED_DOCUMENTS_MANIFEST;
    if (!documents) return {};
    return { graphqlRequest: [trustDocuments({ documents, log, profileOf })] };
  },
});

import assert from 'node:assert/strict';

/** A GraphQL-over-HTTP answer: status, headers, the parsed body (empty when not JSON) and the raw text. */
export interface GqlResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
  text: string;
}

/** POSTs a GraphQL request (an object, or a string sent as is) to `${url}/graphql`. */
export async function postGraphql(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GqlResponse> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: GqlResponse['body'] = {};
  try {
    parsed = JSON.parse(text) as GqlResponse['body'];
  } catch {
    // leave empty: the test will look at text/status
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** extensions.code of the `i`-th error (the first by default), or undefined. Asserts nothing. */
export const codeOf = (res: GqlResponse, i = 0) => res.body.errors?.[i]?.extensions?.code;

/** The single error of a response: its code, message and the HTTP status, for exact assertions. */
export function onlyError(res: GqlResponse): { status: number; code: unknown; message: string } {
  assert.equal(res.body.errors?.length, 1, `expected exactly one error, got ${res.text}`);
  const [error] = res.body.errors ?? [];
  return { status: res.status, code: error?.extensions?.code, message: error?.message ?? '' };
}

/** Asserts a refusal: exact HTTP status and extensions.code, and that no data leaked for `field`. */
export function assertRefused(res: GqlResponse, code: string, status = 200, field?: string): void {
  assert.equal(res.status, status, `status for ${res.text}`);
  assert.equal(codeOf(res), code, `code for ${res.text}`);
  if (field !== undefined) assert.equal(res.body.data?.[field] ?? null, null, `no data for ${field}`);
}

/** Asserts success: HTTP 200, no errors at all. */
export function assertOk(res: GqlResponse): void {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.errors, undefined, res.text);
}

import { performance } from 'node:perf_hooks';

export interface TimedResponse {
  status: number;
  text: string;
  ms: number;
}

/** One POST to 127.0.0.1, timed from send to the last byte of the answer. */
export async function timedPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<TimedResponse> {
  const start = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - start };
}

/** The first error code in a GraphQL JSON answer, or '-'. */
export function firstCode(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.[0]?.extensions?.code ?? '-';
  } catch {
    return 'not-json';
  }
}

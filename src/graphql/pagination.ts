import { z } from 'zod';
import { badUserInput } from '../errors.js';
import { parseInput } from '../validation.js';

export interface EdgeModel<T> {
  cursor: string;
  node: T;
}

/** What a connection resolver returns; codegen maps every `…Connection` type onto it. */
export interface ConnectionModel<T> {
  edges: EdgeModel<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted lazily: only when the client selects totalCount. */
  totalCount: () => Promise<number>;
}

/** Keyset position: rows are ordered by (created_at DESC, id DESC). */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface PageArgs {
  first: number;
  after: Cursor | null;
}

const pageSchema = z.object({
  first: z.number().int().min(1, 'Must be between 1 and 100.').max(100, 'Must be between 1 and 100.'),
  after: z.string().max(200, 'Invalid cursor.').nullish(),
});

/** Validates `first` (1..100) and decodes the opaque `after` cursor. */
export function parsePage(args: { first: number; after?: string | null | undefined }): PageArgs {
  const { first, after } = parseInput(pageSchema, args);
  return { first, after: after ? decodeCursor(after) : null };
}

const cursorSchema = z.tuple([z.string().datetime(), z.string().uuid()]);

// Cursors are opaque to clients (base64url of a small JSON tuple) and fully validated on the way
// back in: a forged cursor is a BAD_USER_INPUT, never a database error.
export function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
  } catch {
    // fall through
  }
  throw badUserInput({ after: 'Invalid cursor.' });
}

/** Builds a connection from up to `first + 1` rows (the extra row only tells hasNextPage). */
export function toConnection<T extends Cursor>(
  rows: readonly T[],
  first: number,
  totalCount: () => Promise<number>,
): ConnectionModel<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** SQL fragment values for "after this cursor" in DESC order; null cursor means from the start. */
export function cursorParams(after: Cursor | null): [Date | null, string | null] {
  return after ? [after.createdAt, after.id] : [null, null];
}

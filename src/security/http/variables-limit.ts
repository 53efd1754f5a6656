import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ErrorCode, HttpError } from '../../errors.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface VariablesLimitOptions {
  maxDepth: number;
  maxKeys: number;
}

/**
 * Measures a JSON value without recursion: nesting depth and the number of object keys and array
 * items, stopping as soon as either bound is crossed (so the walk is bounded too).
 */
export function withinBounds(value: unknown, { maxDepth, maxKeys }: VariablesLimitOptions): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let keys = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return false;
    const children = Array.isArray(current) ? current : Object.values(current);
    keys += children.length;
    if (keys > maxKeys) return false;
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return true;
}

/**
 * Variables are client JSON that the parser has already accepted at any depth. Coercion, the
 * cost analysis and the logs would each walk them, and graphql-js and JSON.stringify recurse: a
 * value nested 10,000 deep (even in a variable the operation never uses) overflowed the stack
 * into a 500. So they are bounded here, before anything else touches them: a non-object, too
 * deep or too many keys is a 400 BAD_USER_INPUT. GET requests carry them as a JSON string.
 */
export function limitVariables(options: VariablesLimitOptions): RequestHandler {
  const check = (variables: unknown): boolean => {
    if (variables === undefined || variables === null) return true;
    if (typeof variables !== 'object' || Array.isArray(variables)) return false;
    return withinBounds(variables, options);
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    let ok: boolean;
    if (req.method === 'GET') {
      const raw = req.query.variables;
      if (raw === undefined) return next();
      try {
        ok = typeof raw === 'string' && check(JSON.parse(raw) as unknown);
      } catch {
        ok = false;
      }
    } else {
      const body: unknown = req.body;
      const operations = Array.isArray(body) ? body : [body];
      ok = operations.every(
        (op: unknown) =>
          typeof op !== 'object' || op === null || check((op as { variables?: unknown }).variables),
      );
    }
    if (ok) return next();
    next(
      new HttpError(
        400,
        ErrorCode.BAD_USER_INPUT,
        'Variables must be a JSON object of bounded depth and size.',
      ),
    );
  };
}

export const variablesLimitProtection = defineProtection({
  name: 'variablesLimit',
  phase: 'http',
  summary:
    'Variables must be a JSON object of bounded nesting and size, checked before anything walks them (400).',
  env: z.object({
    MAX_VARIABLES_DEPTH: int(1, 100).default(10).describe('Deepest nesting inside the variables object.'),
    MAX_VARIABLES_KEYS: int(1, 100_000)
      .default(1000)
      .describe('Object keys and array items in the variables, all levels together.'),
  }),
  create: (options) => ({
    graphqlRequest: [
      limitVariables({ maxDepth: options.MAX_VARIABLES_DEPTH, maxKeys: options.MAX_VARIABLES_KEYS }),
    ],
  }),
});

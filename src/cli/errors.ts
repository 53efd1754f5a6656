/** A mistake in the command line or in what was piped in: nothing was done. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** A well-formed command that cannot be carried out (taken address, unknown key, database in use). Exit code 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
  readonly exitCode = 1;
}

/**
 * One line for an unexpected failure, never a stack trace. node's connection errors to a
 * PostgreSQL server that is down are an AggregateError with an empty message: name the first cause.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    const first: unknown = error.errors[0];
    if (first instanceof Error) return first.message;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

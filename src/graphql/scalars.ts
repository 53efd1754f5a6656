import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { AppError, ErrorCode } from '../errors.js';

// Whitelist the shape first (bounded, no backtracking), then the calendar: JavaScript's Date
// silently rolls 2026-02-30 over to 2026-03-02, so the parsed fields must round-trip.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2}):(\d{2}))$/;

// Messages name no type: they reach clients after the variable's name (security/response).
const invalid = (message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message);

/** Parses an ISO-8601 date-time with an explicit offset; anything else is BAD_USER_INPUT. */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || value.length > 40) {
    throw invalid('Expected an ISO-8601 date-time string.');
  }
  const m = ISO.exec(value);
  if (!m) throw invalid('Expected an ISO-8601 date-time string.');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetH = m[9] === undefined ? 0 : Number(m[9]);
  const offsetM = m[10] === undefined ? 0 : Number(m[10]);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetH > 23 ||
    offsetM > 59
  ) {
    throw invalid('Not a valid date.');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid('Not a valid date.');
  return date;
}

/** DateTime: ISO-8601 strings in and out; bad literals and bad variables are rejected alike. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC.',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    if (typeof value === 'string') return parseDateTime(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value.');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('Expected an ISO-8601 date-time string.');
    return parseDateTime(ast.value);
  },
});

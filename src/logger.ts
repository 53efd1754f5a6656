import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Credentials are removed by configuration, not by hoping every call site
 * remembers: any of these paths is replaced with "[redacted]" before a line is written.
 */
export const REDACT_PATHS = [
  'password',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'apiKey',
  'authorization',
  'cookie',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // Any object's headers (e.g. a request or an HTTP client's options logged under another key).
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  '*.headers["set-cookie"]',
  'req.headers["set-cookie"]',
  'variables.*.password',
  'variables.*.newPassword',
  'variables.*.token',
  'variables.password',
  'variables.newPassword',
  'variables.token',
  // Nested inputs: variables.input.password, variables.input.newPassword, variables.input.secret …
  'variables.*.secret',
  'variables.*.refreshToken',
  'variables.*.*.password',
  'variables.*.*.newPassword',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'secure-graphql-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

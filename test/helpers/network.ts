import { randomBytes } from 'node:crypto';

/**
 * For suites that simulate many clients: with TRUST_PROXY=loopback the test's loopback "proxy" is
 * trusted, so every simulated client can have its own X-Forwarded-For address and per-network
 * limits (ours and the per-field @rateLimit) are spent only where a test means to. (`true` would
 * do the same here, but production refuses it.)
 */
export const TRUSTING_PROXY = { TRUST_PROXY: 'loopback' } as const;

/** A random client address in 10.0.0.0/8. */
export const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};

/** The header a trusted proxy adds for a client at `ip`. */
export const fromIp = (ip: string) => ({ 'x-forwarded-for': ip });

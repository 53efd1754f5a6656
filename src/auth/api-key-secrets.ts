import { createHash, randomBytes } from 'node:crypto';

/** Fixed, greppable prefix: secret scanners (and people) recognise a leaked key at a glance. */
const API_KEY_PREFIX = 'sgk';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Longest secret we will ever hash: anything longer is refused before any work. */
export const MAX_API_KEY_LENGTH = 128;
const SECRET_PATTERN = /^sgk_[0-9A-Za-z]{40,50}$/;

function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(43, '0'); // 32 bytes → at most 43 base62 digits
}

export interface NewApiKeySecret {
  secret: string;
  /** Shown in lists so a user can tell keys apart; too short to help an attacker. */
  displayPrefix: string;
  hash: string;
}

export function generateApiKeySecret(): NewApiKeySecret {
  const secret = `${API_KEY_PREFIX}_${base62(randomBytes(32))}`;
  return { secret, displayPrefix: secret.slice(0, 12), hash: hashApiKey(secret) };
}

/**
 * SHA-256 is right here (unlike for passwords): the secret has 256 bits of entropy, so a fast
 * hash cannot be brute-forced, and lookups stay one indexed equality match.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.length <= MAX_API_KEY_LENGTH && SECRET_PATTERN.test(value);
}

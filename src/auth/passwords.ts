import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimum (m=19 MiB, t=2, p=1): ~20 ms here, memory-hard
// against GPU cracking. The PHC string stores the parameters, so they can be raised later
// and old hashes still verify.
const ARGON2_OPTIONS = {
  algorithm: 2 /* Argon2id */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password against a stored hash. With no hash (no such account, or an account with
 * no password) it verifies against a dummy hash instead, so the work and the answer are the same
 * whether or not the account exists: no enumeration by timing.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('dummy-password-for-constant-work');
  const target = storedHash ?? (await dummyHash);
  // argon2's verify compares the derived keys in constant time.
  const ok = await verify(target, password).catch(() => false);
  return ok && storedHash !== null;
}

/**
 * The password work of the identity use cases as a port (AuthMechanisms.passwords), so a test can
 * count it: the equal-work guarantees (register, login) are about how many of these calls each
 * path makes.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** As verifyPassword: a null hash is verified against the dummy hash, and never matches. */
  verify(storedHash: string | null, password: string): Promise<boolean>;
}

export const argon2Passwords: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

// The most common passwords of at least 12 characters (from public breach corpora): a
// register with one of these is refused.
const COMMON_PASSWORDS = new Set(
  [
    '123456789012',
    '1234567890123',
    '12345678901234',
    'password1234',
    'password12345',
    'password123456',
    'passwordpassword',
    'qwertyuiop12',
    'qwertyuiopasdf',
    'qwerty123456',
    '1q2w3e4r5t6y',
    '1qaz2wsx3edc',
    'iloveyou1234',
    'abc123456789',
    'aaaaaaaaaaaa',
    '111111111111',
    '000000000000',
    'letmein12345',
    'welcome12345',
    'administrator',
    'adminadmin123',
    'changeme1234',
    'trustno1trustno1',
    'correcthorsebatterystaple',
    'football1234',
    'baseball1234',
    'princess1234',
    'sunshine1234',
    'superman1234',
    'monkey123456',
    'dragon123456',
    'zaq12wsxcde3',
    'asdfghjkl123',
    'passw0rd1234',
    'p@ssw0rd1234',
    'p@ssword1234',
  ].map((p) => p.toLowerCase()),
);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

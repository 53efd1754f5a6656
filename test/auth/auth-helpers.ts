import * as jose from 'jose';
import type {
  AlreadyRegisteredMessage,
  Mailer,
  PasswordResetMessage,
  VerificationMessage,
} from '../../src/auth/mailer.js';
import { argon2Passwords, type PasswordHasher } from '../../src/auth/passwords.js';

/**
 * A test mailer for suites about something else than mail (the sign-up and reset suites read a
 * real SMTP server): it keeps every message. Mail is sent after the answer: `await t.app.idle()`
 * before reading.
 */
export class CapturingMailer implements Mailer {
  /** Password-reset messages. */
  readonly messages: PasswordResetMessage[] = [];
  readonly verifications: VerificationMessage[] = [];
  readonly notices: AlreadyRegisteredMessage[] = [];
  async sendVerification(message: VerificationMessage): Promise<void> {
    this.verifications.push(message);
  }
  async sendAlreadyRegistered(message: AlreadyRegisteredMessage): Promise<void> {
    this.notices.push(message);
  }
  async sendPasswordReset(message: PasswordResetMessage): Promise<void> {
    this.messages.push(message);
  }
  /** The last reset message to `email`. */
  lastTo(email: string): PasswordResetMessage | undefined {
    return this.messages.filter((m) => m.to === email).at(-1);
  }
}

/** Signs an HS256 token with full control over header and claims (for forged-token tests). */
export async function signHs256(
  secret: string,
  claims: jose.JWTPayload,
  header: jose.JWTHeaderParameters = { alg: 'HS256', typ: 'JWT' },
): Promise<string> {
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(new TextEncoder().encode(secret));
}

/** argon2id as the app uses it, with every call counted (the equal-work checks). */
export function countingPasswords(): { passwords: PasswordHasher; counts: { hash: number; verify: number } } {
  const counts = { hash: 0, verify: 0 };
  return {
    counts,
    passwords: {
      hash: (password) => {
        counts.hash++;
        return argon2Passwords.hash(password);
      },
      verify: (storedHash, password) => {
        counts.verify++;
        return argon2Passwords.verify(storedHash, password);
      },
    },
  };
}

/**
 * A mailer in front of a real one (SMTP in the suites that use it) that counts what is handed to
 * it, and can hold every message until released (to show the answer does not wait for mail).
 */
export class CountingMailer implements Mailer {
  readonly counts = { verification: 0, alreadyRegistered: 0, passwordReset: 0 };
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  constructor(private readonly inner: Mailer) {}
  get total(): number {
    return this.counts.verification + this.counts.alreadyRegistered + this.counts.passwordReset;
  }
  /** From now on each message waits until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  async sendVerification(message: VerificationMessage): Promise<void> {
    this.counts.verification++;
    await this.gate;
    await this.inner.sendVerification(message);
  }
  async sendAlreadyRegistered(message: AlreadyRegisteredMessage): Promise<void> {
    this.counts.alreadyRegistered++;
    await this.gate;
    await this.inner.sendAlreadyRegistered(message);
  }
  async sendPasswordReset(message: PasswordResetMessage): Promise<void> {
    this.counts.passwordReset++;
    await this.gate;
    await this.inner.sendPasswordReset(message);
  }
  close(): void {
    this.inner.close?.();
  }
}

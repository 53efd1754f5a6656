import * as jose from 'jose';
import type { Mailer, PasswordResetMessage } from '../../src/auth/mailer.js';

/** A test mailer: it keeps every message so a test can read the reset link. */
export class CapturingMailer implements Mailer {
  readonly messages: PasswordResetMessage[] = [];
  async sendPasswordReset(message: PasswordResetMessage): Promise<void> {
    this.messages.push(message);
  }
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

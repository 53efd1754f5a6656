import type { Logger } from 'pino';

/** A mailed single-use link: `<page>#token=…`, the token also given apart (tests, logs never). */
interface TokenLink {
  to: string;
  userId: string;
  /** The single-use secret; only its hash is stored. */
  token: string;
  /**
   * Where the user completes the step: `<page URL>#token=…`. The token travels in the fragment,
   * which browsers never send to a server nor put in a Referer header.
   */
  link: string;
  expiresAt: Date;
}

/** register with a new address: confirm it (EMAIL_VERIFY_URL#token=…, 24 hours). */
export type VerificationMessage = TokenLink;

/** register with a taken address: tell its owner, change nothing. */
export interface AlreadyRegisteredMessage {
  to: string;
  /** null only when the account was being created by a concurrent sign-up. */
  userId: string | null;
  /** The page where a forgotten password is reset (PASSWORD_RESET_URL, no token). */
  resetPage: string;
}

/** requestPasswordReset for an existing account (PASSWORD_RESET_URL#token=…, 30 minutes). */
export type PasswordResetMessage = TokenLink;

/** How the app reaches users out of band: the one port every transport implements. */
export interface Mailer {
  sendVerification(message: VerificationMessage): Promise<void>;
  sendAlreadyRegistered(message: AlreadyRegisteredMessage): Promise<void>;
  sendPasswordReset(message: PasswordResetMessage): Promise<void>;
  /** Releases the transport's connections (app shutdown). */
  close?(): void;
}

/** A message as it is sent: plain text, and the same in simple HTML. */
export interface ComposedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** Paragraphs of text; `link` lines become anchors. Every value is escaped in the HTML. */
function compose(to: string, subject: string, parts: (string | { link: string })[]): ComposedMail {
  const text = parts.map((p) => (typeof p === 'string' ? p : p.link)).join('\n\n');
  const html = parts
    .map((p) =>
      typeof p === 'string'
        ? `<p>${escapeHtml(p)}</p>`
        : `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.link)}</a></p>`,
    )
    .join('\n');
  return { to, subject, text: `${text}\n`, html: `<!doctype html>\n<html><body>\n${html}\n</body></html>\n` };
}

const hours = (expiresAt: Date) => Math.max(1, Math.round((expiresAt.getTime() - Date.now()) / 3_600_000));
const minutes = (expiresAt: Date) => Math.max(1, Math.round((expiresAt.getTime() - Date.now()) / 60_000));

// The bodies carry no user-entered text (not even the account's name): nothing a sign-up form
// accepts can put words or links into a mail sent in our name.
export const compositions = {
  verification: (m: VerificationMessage): ComposedMail =>
    compose(m.to, 'Confirm your email address', [
      'Someone (we hope you) created an account with this email address.',
      `To confirm the address and sign in, open this link within ${hours(m.expiresAt)} hours. It works once:`,
      { link: m.link },
      'If you did not sign up, ignore this mail: the account stays inactive.',
    ]),
  alreadyRegistered: (m: AlreadyRegisteredMessage): ComposedMail =>
    compose(m.to, 'You already have an account', [
      'Someone (we hope you) tried to sign up with this email address, but you already have an account. Nothing about it was changed.',
      'Sign in with your password. If you forgot it, reset it here:',
      { link: m.resetPage },
      'If this was not you, you can ignore this mail.',
    ]),
  passwordReset: (m: PasswordResetMessage): ComposedMail =>
    compose(m.to, 'Reset your password', [
      `To choose a new password, open this link within ${minutes(m.expiresAt)} minutes. It works once:`,
      { link: m.link },
      'Resetting the password signs you out everywhere: every session ends and every API key of the account is revoked (create new keys afterwards).',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ]),
};

/**
 * The mailer without a transport (no SMTP_URL; never in production): it sends nothing. In
 * development it writes each message to the log, link included, so a developer can finish the
 * flow; in any other mode the link (a live credential) never reaches the logs.
 */
export function createLogMailer(log: Logger, development: boolean): Mailer {
  const write = (kind: string, fields: Record<string, unknown>, devFields: Record<string, unknown>) => {
    if (development) log.info({ ...fields, ...devFields }, `${kind} (development mailer)`);
    else log.warn(fields, `${kind}, but no mailer is configured`);
  };
  return {
    async sendVerification({ userId, link, expiresAt }) {
      write('email verification requested', { userId }, { verificationLink: link, expiresAt });
    },
    async sendAlreadyRegistered({ userId, resetPage }) {
      write('sign-up with a registered address', { userId }, { resetPage });
    },
    async sendPasswordReset({ userId, link, expiresAt }) {
      write('password reset requested', { userId }, { resetLink: link, expiresAt });
    },
  };
}

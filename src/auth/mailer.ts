import type { Logger } from 'pino';

export interface PasswordResetMessage {
  to: string;
  userId: string;
  /** The single-use secret; only its hash is stored. */
  token: string;
  /**
   * Where the user completes the reset: `PASSWORD_RESET_URL#token=…`. The token travels in the
   * fragment, which browsers never send to a server nor put in a Referer header.
   */
  link: string;
  expiresAt: Date;
}

/** How the app reaches users out of band. A real deployment plugs an email provider in here. */
export interface Mailer {
  sendPasswordReset(message: PasswordResetMessage): Promise<void>;
}

/**
 * The default mailer: it sends nothing. It logs that a reset was requested, and in development
 * only also the link, so a developer can finish the flow; in any other mode the link (a live
 * credential) never reaches the logs.
 */
export function createDevelopmentMailer(log: Logger, development: boolean): Mailer {
  return {
    async sendPasswordReset({ userId, link, expiresAt }) {
      if (development) {
        log.info({ userId, resetLink: link, expiresAt }, 'password reset requested (development mailer)');
      } else {
        log.warn({ userId }, 'password reset requested, but no mailer is configured');
      }
    },
  };
}

import nodemailer from 'nodemailer';
import { compositions, type ComposedMail, type Mailer } from './mailer.js';

export interface SmtpMailerOptions {
  /** SMTP_URL: smtp://… or smtps://…, credentials in the URL when the relay needs them. */
  url: string;
  /** MAIL_FROM. */
  from: string;
  /** Messages accepted but not yet handed to the relay; past it a message is refused (logged by the caller). */
  maxQueued?: number;
}

/** Thrown for a message refused because the relay is not keeping up (nothing is retried). */
export class MailQueueFullError extends Error {
  override name = 'MailQueueFullError';
}

/**
 * Mail through nodemailer on SMTP_URL. A small pool of connections is reused; every wait is
 * bounded, so a relay that hangs costs a timeout, and at most `maxQueued` messages wait in memory
 * (a flood of sign-ups against a dead relay cannot grow the heap without bound).
 */
export function createSmtpMailer({ url, from, maxQueued = 200 }: SmtpMailerOptions): Mailer {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 3,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  let queued = 0;
  const send = async (mail: ComposedMail) => {
    if (queued >= maxQueued)
      throw new MailQueueFullError(`more than ${maxQueued} mails waiting for the relay`);
    queued++;
    try {
      await transport.sendMail({ from, ...mail });
    } finally {
      queued--;
    }
  };
  return {
    sendVerification: (m) => send(compositions.verification(m)),
    sendAlreadyRegistered: (m) => send(compositions.alreadyRegistered(m)),
    sendPasswordReset: (m) => send(compositions.passwordReset(m)),
    close: () => transport.close(),
  };
}

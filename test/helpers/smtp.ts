import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it, with its plain-text and HTML parts decoded. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface TestSmtpServer {
  /** SMTP_URL for the app: plain SMTP on loopback (the server offers no STARTTLS). */
  url: string;
  readonly mails: ReceivedMail[];
  /**
   * The `n`-th mail (1-based, counted from the `since`-th) to `to`, with `subject` when given,
   * waiting up to `timeoutMs` for it.
   */
  waitFor(
    to: string,
    options?: { subject?: string; since?: number; n?: number; timeoutMs?: number },
  ): Promise<ReceivedMail>;
  /** Mails received for `to` so far (with `subject` when given). */
  to(address: string, subject?: string): ReceivedMail[];
  /** Refuse every message from now on (a relay that is down for mail), or accept again. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodePart(headers: string, body: string): string {
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

const split = (entity: string): [string, string] => {
  const at = entity.search(/\r?\n\r?\n/);
  if (at < 0) return [entity, ''];
  const sep = /\r?\n\r?\n/.exec(entity.slice(at))?.[0] ?? '\n\n';
  return [entity.slice(0, at), entity.slice(at + sep.length)];
};

/** Just enough MIME for the app's mails: one entity, or multipart/alternative of text and HTML. */
export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const [headers, body] = split(raw);
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const subject = /^subject:\s*(.*)$/im.exec(unfolded)?.[1]?.trim() ?? '';
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(unfolded)?.[1];
  let text = '';
  let html = '';
  if (boundary) {
    for (const part of body.split(`--${boundary}`)) {
      const [partHeaders, partBody] = split(part.replace(/^\r?\n/, ''));
      if (/content-type:\s*text\/plain/i.test(partHeaders)) text = decodePart(partHeaders, partBody);
      if (/content-type:\s*text\/html/i.test(partHeaders)) html = decodePart(partHeaders, partBody);
    }
  } else {
    text = decodePart(unfolded, body);
  }
  return { from, to, subject, text: text.replace(/\r\n/g, '\n'), html: html.replace(/\r\n/g, '\n'), raw };
}

/** A real SMTP server on 127.0.0.1 (any free port) that keeps every message it accepts. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let refusing = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusing) {
          callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), from, to));
        callback();
        for (const wake of waiters) wake();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const toAddress = (address: string, subject?: string) =>
    mails.filter(
      (m) => m.to.includes(address.toLowerCase()) && (subject === undefined || m.subject === subject),
    );
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to: toAddress,
    refuse(on) {
      refusing = on;
    },
    async waitFor(to, { subject, since = 0, n = 1, timeoutMs = 10_000 } = {}) {
      const find = () => toAddress(to, subject).slice(since)[n - 1];
      const found = find();
      if (found) return found;
      return new Promise<ReceivedMail>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no mail #${n} to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          const mail = find();
          if (!mail) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(mail);
        }
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first `<page>#token=…` link in a mail's text. */
export function linkTokenOf(mail: ReceivedMail, page: string): string {
  const escaped = page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`${escaped}#token=([A-Za-z0-9_-]+)`).exec(mail.text)?.[1];
  if (!token) throw new Error(`no ${page}#token= link in:\n${mail.text}`);
  return token;
}

import type { Readable } from 'node:stream';
import { UsageError } from './errors.js';

/** More than any password the rules allow (128 characters of up to 4 bytes): reading stops there. */
const MAX_STDIN_BYTES = 1024;

/**
 * The password, as one line on standard input (`echo pw | …`, or `< file`): a trailing newline is
 * dropped, nothing else is changed (the API does not trim passwords either). A terminal is refused
 * rather than echoing what is typed.
 */
export async function readPasswordLine(stdin: Readable & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY)
    throw new UsageError(
      'the password is read from standard input, which is a terminal here: pipe it in ' +
        '(read -rs PW && printf \'%s\\n\' "$PW" | npm run admin -- create-user …) or use --generate-password',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) {
      stdin.destroy();
      throw new UsageError('standard input must hold one line, the password (at most 128 characters)');
    }
    chunks.push(buffer);
  }
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  if (lines.length > 2 || (lines.length === 2 && lines[1] !== ''))
    throw new UsageError('standard input must hold one line, the password; it holds several');
  const password = lines[0] ?? '';
  if (password === '')
    throw new UsageError('no password on standard input: pipe one line, or use --generate-password');
  return password;
}

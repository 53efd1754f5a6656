import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'sgql-profiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A directory removed after the test file has run. */
export const profilesDir = dir;

/** Writes a profiles file (YAML unless the name ends in .json) and returns its path. */
export function profilesFile(text: string, name = `profiles-${++files}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A file whose anonymous callers get the profile `tight`, with `body` (YAML lines) as its keys. */
export const tightForAnonymous = (body: string) => `
profiles:
  tight:
${body
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
select:
  anonymous: tight
`;

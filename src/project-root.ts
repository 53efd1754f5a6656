import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where schema/ lives), whether running from src/ (tsx) or dist/src/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'schema', 'base.graphql'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the project root (schema/base.graphql)');
}

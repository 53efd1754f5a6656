import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { manifestText } from '../../scripts/trusted-documents.js';

// examples/trusted-documents.json is generated and committed, like docs/schema.graphql: the
// examples' servers are started with it, so a stale copy would refuse an operation just edited.

const ROOT = resolve(import.meta.dirname, '../..');
const MANIFEST = join(ROOT, 'examples/trusted-documents.json');
const SOURCES = ['examples/client/operations', 'examples/browser/operations'];
const REGENERATE = 'npm run codegen';

/** The manifest command as `npm run trusted-documents -- …` runs it, from the repository root. */
const command = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/trusted-documents.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('examples/trusted-documents.json, the examples’ committed manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgql-manifest-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`is the manifest a fresh build makes from both examples' operations (else: ${REGENERATE})`, () => {
    assert.equal(
      readFileSync(MANIFEST, 'utf8'),
      manifestText(SOURCES.map((s) => join(ROOT, s))),
      `examples/trusted-documents.json differs from a fresh build of ${SOURCES.join(' and ')}: run \`${REGENERATE}\` and commit it`,
    );
  });

  it('names every operation the browser app sends', () => {
    const names = (
      JSON.parse(readFileSync(MANIFEST, 'utf8')) as { operations: { name: string }[] }
    ).operations.map((o) => o.name);
    const app = readFileSync(join(ROOT, 'examples/browser/app.js'), 'utf8');
    const sent = [...app.matchAll(/^const [A-Z_]+ = '(Browser\w+)';$/gm)].map((m) => m[1]);
    assert.deepEqual(sent, ['BrowserLogin', 'BrowserRefresh', 'BrowserLogout', 'BrowserOrders']);
    for (const name of sent) assert.ok(names.includes(name ?? ''), `${name} is not in the manifest`);
  });

  it('--check fails on a stale copy and says how to regenerate it; --out writes what --check accepts', () => {
    const stale = join(dir, 'stale.json');
    writeFileSync(stale, readFileSync(MANIFEST, 'utf8').replace('"BrowserLogout"', '"Logout"'));
    const refused = command('--check', stale, ...SOURCES);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /is not the manifest of examples\/client\/operations examples\/browser\/operations/,
    );
    assert.match(refused.stderr, /run npm run codegen/);

    const fresh = join(dir, 'fresh.json');
    const written = command('--out', fresh, ...SOURCES);
    assert.equal(written.status, 0, written.stderr);
    assert.equal(readFileSync(fresh, 'utf8'), readFileSync(MANIFEST, 'utf8'));
    assert.equal(command('--check', fresh, ...SOURCES).status, 0);
  });

  it('refuses two operations of one name across directories, naming both files', () => {
    const other = join(dir, 'other-client');
    mkdirSync(other);
    writeFileSync(join(other, 'login.graphql'), 'mutation Login { logout }\n');
    const refused = command(SOURCES[0] ?? '', other);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(
      refused.stderr,
      /two operations are named Login \(examples\/client\/operations\/login\.graphql, .*other-client\/login\.graphql\)/,
    );
    assert.equal(refused.stdout, '', 'no manifest printed');

    // Fragments too: two different texts under one name would silently become one.
    writeFileSync(join(other, 'login.graphql'), 'query A { viewer { ...F } } fragment F on User { id }\n');
    writeFileSync(join(other, 'more.graphql'), 'query B { viewer { ...F } } fragment F on User { email }\n');
    const fragments = command(other);
    assert.equal(fragments.status, 1, fragments.stdout);
    assert.match(fragments.stderr, /two fragments are named F/);
  });
});

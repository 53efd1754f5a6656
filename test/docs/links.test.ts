import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/project-root.js';

const PROJECT_ROOT = projectRoot();

/** The documents a reader of the repository follows links in. */
export function documentFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(join(root, dir))) return;
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, 'README.md'))) found.push('README.md');
  walk('docs');
  walk('examples');
  return found;
}

/** GitHub's heading anchor: lower case, punctuation dropped (hyphens kept), spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Fenced code blocks hold examples, not links: blanked out (lines kept, so line numbers hold). */
function withoutCode(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line.replace(/`[^`]*`/g, '``');
    })
    .join('\n');
}

/** The anchors of a Markdown document's headings, duplicates numbered as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const base = slug(heading[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

// Inline links and images `[text](target "title")`, autolinks `<https://…>`, and reference
// definitions `[name]: target`.
const INLINE = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const AUTOLINK = /<((?:https?|mailto):[^>\s]+)>/g;
const REFERENCE = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm;
// The contract's source outside the repository, in any spelling: never referred to.
const OUTSIDE_TEXT = /\.\.\/shared\b|(?<![\w./-])shared\/API\.md|(?<![\w/-])API\.md/;

/**
 * The problems of one document: links to files that do not exist, anchors no heading makes, links
 * that leave the repository, and any mention of the contract file outside it. `file` is relative
 * to `root`; http(s) and mailto links are allowed and not fetched.
 */
export function deadLinks(root: string, file: string, markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');
  lines.forEach((line, i) => {
    if (OUTSIDE_TEXT.test(line)) problems.push(`${file}:${i + 1}: refers to a file outside the repository`);
  });
  const text = withoutCode(markdown);
  const targets: { target: string; line: number }[] = [];
  for (const pattern of [INLINE, AUTOLINK, REFERENCE]) {
    for (const match of text.matchAll(pattern)) {
      const target = match[1] ?? '';
      targets.push({ target, line: text.slice(0, match.index).split('\n').length });
    }
  }
  const rootDir = resolve(root);
  for (const { target, line } of targets) {
    const where = `${file}:${line}: ${target || '(empty link)'}`;
    if (/^(https?:\/\/|mailto:)/i.test(target)) continue;
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) {
      problems.push(`${where}: not a relative link or an http(s) URL`);
      continue;
    }
    const [pathPart = '', anchor] = target.split('#', 2);
    const path = decodeURIComponent(pathPart);
    const absolute = path === '' ? resolve(rootDir, file) : resolve(rootDir, dirname(file), path);
    if (absolute !== rootDir && !absolute.startsWith(rootDir + sep)) {
      problems.push(`${where}: points outside the repository`);
      continue;
    }
    // A link to an anchor of the document itself needs no file on disk (the fixtures have none).
    if (path !== '' && !existsSync(absolute)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor !== undefined && anchor !== '') {
      if (path !== '' && !absolute.endsWith('.md')) continue;
      const anchors = path === '' ? anchorsOf(markdown) : anchorsOf(readFileSync(absolute, 'utf8'));
      if (!anchors.has(decodeURIComponent(anchor))) {
        problems.push(`${where}: no heading #${anchor} in ${relative(rootDir, absolute)}`);
      }
    }
  }
  return problems;
}

describe('documentation links', () => {
  it('every relative link and anchor in README.md, docs/ and examples/ resolves inside the repository', () => {
    const files = documentFiles(PROJECT_ROOT);
    assert.ok(
      files.includes('README.md') && files.includes('docs/api.md'),
      `documents found: ${files.join(', ')}`,
    );
    const problems = files.flatMap((file) =>
      deadLinks(PROJECT_ROOT, file, readFileSync(join(PROJECT_ROOT, file), 'utf8')),
    );
    assert.deepEqual(problems, []);
  });

  it('reports a dead link, a dead anchor, a way out of the repository and a mention of ../shared', () => {
    const root = mkdtempSync(join(tmpdir(), 'sgql-links-'));
    try {
      mkdirSync(join(root, 'docs'));
      writeFileSync(join(root, 'docs', 'real.md'), '# Real page\n\n## Settlement: requested and `actual`\n');
      writeFileSync(join(root, 'README.md'), '# Top\n');
      const fixture = [
        '# Fixture',
        'Fine: [real](real.md), [anchor](real.md#settlement-requested-and-actual), [self](#fixture),',
        '[up](../README.md), [web](https://example.com/x), <https://example.com/y>, [mail](mailto:a@example.com).',
        '```sh',
        'curl [not a link](nowhere.md)',
        '```',
        'Dead: [gone](missing.md), [bad anchor](real.md#nothing-here), [bad self](#nope),',
        '[out](../../etc/passwd), [abs](/etc/passwd), [file](file:///etc/passwd).',
        'The contract: [contract](../../shared/API.md), and in text: see ../shared/API.md.',
        '[ref]: gone-too.md',
      ].join('\n');
      const problems = deadLinks(root, 'docs/fixture.md', fixture);
      const expected = [
        'docs/fixture.md:9: refers to a file outside the repository',
        'docs/fixture.md:7: missing.md: no such file',
        'docs/fixture.md:7: real.md#nothing-here: no heading #nothing-here in docs/real.md',
        'docs/fixture.md:7: #nope: no heading #nope in docs/fixture.md',
        'docs/fixture.md:8: ../../etc/passwd: points outside the repository',
        'docs/fixture.md:8: /etc/passwd: not a relative link or an http(s) URL',
        'docs/fixture.md:8: file:///etc/passwd: not a relative link or an http(s) URL',
        'docs/fixture.md:9: ../../shared/API.md: points outside the repository',
        'docs/fixture.md:10: gone-too.md: no such file',
      ];
      assert.deepEqual([...problems].sort(), [...expected].sort());

      // The same checks through the files on disk, as the repository test reads them.
      writeFileSync(join(root, 'docs', 'broken.md'), '# Broken\n\nSee [the contract](api.md).\n');
      const onDisk = documentFiles(root).flatMap((f) =>
        deadLinks(root, f, readFileSync(join(root, f), 'utf8')),
      );
      assert.deepEqual(onDisk, ['docs/broken.md:3: api.md: no such file']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('makes the anchors GitHub makes', () => {
    const anchors = anchorsOf(
      [
        '# Cost model',
        '## The dry run: `estimateCost`',
        '## Who each limit is charged to',
        '## Notes',
        '## Notes',
      ].join('\n'),
    );
    assert.deepEqual(
      [...anchors],
      ['cost-model', 'the-dry-run-estimatecost', 'who-each-limit-is-charged-to', 'notes', 'notes-1'],
    );
  });
});

// Builds a trusted-documents manifest (Apollo's persisted-query manifest format) from clients'
// .graphql files: one entry per operation, its text the operation and every fragment it uses,
// printed by graphql-js, its id the SHA-256 of that text.
//   npm run trusted-documents -- examples/client/operations > manifest.json
//   npm run trusted-documents -- --out examples/trusted-documents.json <dir>...   (write the file)
//   npm run trusted-documents -- --check examples/trusted-documents.json <dir>... (fail if stale)
// Several directories make one manifest (several clients behind one server): operation and
// fragment names must then be unique across all of them. The client sends
// `{ "documentId": "sha256:<id>" }` (or the same text).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface Manifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

/** A .graphql text, with the file it came from for error messages. */
export type Source = string | { file: string; text: string };

/** The manifest of every operation in `sources` (SDL-free .graphql texts); names must be unique. */
export function buildManifest(sources: readonly Source[]): Manifest {
  return manifestOf(
    sources.map((source, i) =>
      typeof source === 'string'
        ? { file: `source ${i + 1}`, document: parse(source) }
        : { file: source.file, document: parse(source.text) },
    ),
  );
}

/**
 * The manifest id of the one operation in `document` (with the fragments it uses): what a client
 * generator embeds, computed by the very code that builds the manifest.
 */
export function documentId(document: DocumentNode): string {
  const [operation, ...more] = manifestOf([{ file: 'document', document }]).operations;
  if (!operation || more.length > 0) throw new Error('a document with exactly one operation was expected');
  return operation.id;
}

function manifestOf(documents: readonly { file: string; document: DocumentNode }[]): Manifest {
  const operations: { file: string; operation: OperationDefinitionNode }[] = [];
  const fragments = new Map<string, { file: string; fragment: FragmentDefinitionNode }>();
  for (const { file, document } of documents) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) operations.push({ file, operation: definition });
      else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const name = definition.name.value;
        const other = fragments.get(name);
        // Two clients' fragments of one name would silently become one: the second one's text.
        if (other && print(other.fragment) !== print(definition))
          throw new Error(`two fragments are named ${name} (${other.file}, ${file})`);
        fragments.set(name, { file, fragment: definition });
      }
    }
  }
  const files = new Map<string, string>();
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: operations.map(({ file, operation }) => {
      const name = operation.name?.value;
      if (!name) throw new Error(`${file}: every operation of a trusted client needs a name`);
      // One name, one document: the name is what logs, metrics and the clients' lookups go by.
      const other = files.get(name);
      if (other !== undefined) throw new Error(`two operations are named ${name} (${other}, ${file})`);
      files.set(name, file);
      // The fragments it uses, transitively, in name order: one text per operation, always the same.
      const used = new Map<string, FragmentDefinitionNode>();
      const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
        visit(node, {
          FragmentSpread(spread) {
            const fragment = fragments.get(spread.name.value)?.fragment;
            if (!fragment) throw new Error(`${name}: unknown fragment ${spread.name.value}`);
            if (used.has(fragment.name.value)) return;
            used.set(fragment.name.value, fragment);
            collect(fragment);
          },
        });
      collect(operation);
      const body = print({
        kind: Kind.DOCUMENT,
        definitions: [
          operation,
          ...[...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value)),
        ],
      });
      return { id: createHash('sha256').update(body).digest('hex'), name, type: operation.operation, body };
    }),
  };
}

/** Every .graphql file under the given files and directories, in name order. */
export function graphqlFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? graphqlFiles(
          readdirSync(path)
            .sort()
            .map((name) => join(path, name)),
        )
      : path.endsWith('.graphql')
        ? [path]
        : [],
  );
}

/** The manifest file's text for these files and directories, as the command writes it. */
export function manifestText(paths: readonly string[]): string {
  const sources = graphqlFiles(paths).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  return `${JSON.stringify(buildManifest(sources), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals: paths } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, check: { type: 'string' } },
  });
  if (paths.length === 0 || (values.out && values.check)) {
    process.stderr.write(
      'usage: npm run trusted-documents -- [--out <file> | --check <file>] <dir or .graphql file>...\n',
    );
    process.exit(2);
  }
  try {
    const text = manifestText(paths);
    if (values.check) {
      let committed = '';
      try {
        committed = readFileSync(values.check, 'utf8');
      } catch {
        // missing: stale, as below
      }
      if (committed !== text) {
        process.stderr.write(
          `${values.check} is not the manifest of ${paths.join(' ')}: run npm run codegen to rebuild it\n`,
        );
        process.exit(1);
      }
    } else if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

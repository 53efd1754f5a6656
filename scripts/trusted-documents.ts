// Builds a trusted-documents manifest (Apollo's persisted-query manifest format) from a client's
// .graphql files: one entry per operation, its text the operation and every fragment it uses,
// printed by graphql-js, its id the SHA-256 of that text.
//   npm run trusted-documents -- examples/client/operations > manifest.json
// The client then sends `{ "documentId": "sha256:<id>" }` (or the same text).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
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

/** The manifest of every operation in `sources` (SDL-free .graphql texts); names must be unique. */
export function buildManifest(sources: readonly string[]): Manifest {
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const source of sources) {
    for (const definition of parse(source).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
      else if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
  }
  const names = new Set<string>();
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: operations.map((operation) => {
      const name = operation.name?.value;
      if (!name) throw new Error('every operation of a trusted client needs a name');
      if (names.has(name)) throw new Error(`two operations are named ${name}`);
      names.add(name);
      // The fragments it uses, transitively, in name order: one text per operation, always the same.
      const used = new Map<string, FragmentDefinitionNode>();
      const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
        visit(node, {
          FragmentSpread(spread) {
            const fragment = fragments.get(spread.name.value);
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
function graphqlFiles(paths: readonly string[]): string[] {
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    process.stderr.write('usage: npm run trusted-documents -- <dir or .graphql file>... > manifest.json\n');
    process.exit(2);
  }
  const manifest = buildManifest(graphqlFiles(paths).map((file) => readFileSync(file, 'utf8')));
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

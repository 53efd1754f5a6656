import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Sizes of one operation with every fragment spread expanded (counted, never materialised). */
export interface OperationStats {
  node: OperationDefinitionNode;
  aliases: number;
  directives: number;
  /** Fields selected directly on the root type (through inline fragments and spreads too). */
  rootFields: number;
  /** Fragment spreads after expansion: `...A` where A spreads B twice counts 3. */
  fragmentSpreads: number;
  /** Deepest nesting of selection sets, introspection fields included (`{ a { b } }` is 1). */
  depth: number;
}

export type DocumentAnalysis =
  | { safe: true; operations: OperationStats[] }
  /** A document the spec rules will refuse (NoFragmentCycles, KnownFragmentNames, UniqueFragmentNames). */
  | { safe: false; problem: 'fragment_cycle' | 'unknown_fragment' | 'duplicate_fragment' };

interface Sizes {
  aliases: number;
  directives: number;
  topFields: number;
  spreads: number;
  depth: number;
}

const cache = new WeakMap<DocumentNode, DocumentAnalysis>();

/**
 * One bounded pass over a parsed document, shared by the limit rules. Fragment cycles and
 * unknown fragments are found first with an iterative walk of the spread graph; only then are
 * sizes computed, each fragment once (memoised), so the time is linear in the document's size
 * even for fragment fan-out (10 fragments each spreading the next twice expand to 2¹⁰ spreads
 * but are measured in 10 steps). Counts may grow past any limit but never loop.
 *
 * Why our own pass: graphql-depth-limit (unmaintained) recurses into fragments without memo or
 * cycle check — a cycle overflows the stack, an unknown fragment crashes it, fan-out takes
 * exponential time — and graphql-js runs every validation rule side by side, so the spec rules
 * that refuse those documents do not stop it from seeing them. The depth rule consults this
 * analysis and never runs on a document it cannot handle.
 */
export function analyzeDocument(document: DocumentNode): DocumentAnalysis {
  const cached = cache.get(document);
  if (cached) return cached;
  const result = analyze(document);
  cache.set(document, result);
  return result;
}

function analyze(document: DocumentNode): DocumentAnalysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) {
      // Two fragments of one name: graphql-js refuses the document (UniqueFragmentNames), but
      // every rule still runs on it, and graphql-depth-limit would walk the *last* definition,
      // which no analysis of the first one vouches for (a cycle there overflowed the stack).
      if (fragments.has(def.name.value)) return { safe: false, problem: 'duplicate_fragment' };
      fragments.set(def.name.value, def);
    } else if (def.kind === Kind.OPERATION_DEFINITION) {
      operations.push(def);
    }
  }

  // Spread graph: fragment name → names it spreads (at any nesting), collected iteratively.
  const spreadsOf = new Map<string, string[]>();
  for (const [name, fragment] of fragments) spreadsOf.set(name, collectSpreads(fragment.selectionSet));
  const allSpreads = [...operations.map((op) => collectSpreads(op.selectionSet)), ...spreadsOf.values()];
  for (const names of allSpreads) {
    for (const name of names) {
      if (!fragments.has(name)) return { safe: false, problem: 'unknown_fragment' };
    }
  }
  if (hasCycle(spreadsOf)) return { safe: false, problem: 'fragment_cycle' };

  // Acyclic and complete: sizes per fragment, memoised, in dependency order.
  const memo = new Map<string, Sizes>();
  const fragmentSizes = (name: string): Sizes => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name) as FragmentDefinitionNode;
    const own = measure(fragment.selectionSet, fragmentSizes);
    const sizes = { ...own, directives: own.directives + (fragment.directives?.length ?? 0) };
    memo.set(name, sizes);
    return sizes;
  };
  // Resolve fragments leaves-first so `measure` never recurses through fragment chains.
  for (const name of topologicalOrder(spreadsOf)) fragmentSizes(name);

  return {
    safe: true,
    operations: operations.map((node) => {
      const s = measure(node.selectionSet, fragmentSizes);
      return {
        node,
        aliases: s.aliases,
        directives:
          s.directives +
          (node.directives?.length ?? 0) +
          (node.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0),
        rootFields: s.topFields,
        fragmentSpreads: s.spreads,
        depth: s.depth,
      };
    }),
  };
}

/** Sizes of a selection set; spreads are looked up (already memoised), never walked again. */
function measure(set: SelectionSetNode, fragmentSizes: (name: string) => Sizes): Sizes {
  const total: Sizes = { aliases: 0, directives: 0, topFields: 0, spreads: 0, depth: 0 };
  for (const selection of set.selections) {
    total.directives += selection.directives?.length ?? 0;
    if (selection.kind === Kind.FIELD) {
      total.topFields += 1;
      if (selection.alias) total.aliases += 1;
      if (selection.selectionSet) {
        const child = measure(selection.selectionSet, fragmentSizes);
        total.aliases += child.aliases;
        total.directives += child.directives;
        total.spreads += child.spreads;
        total.depth = Math.max(total.depth, child.depth + 1);
      }
    } else {
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? measure(selection.selectionSet, fragmentSizes)
          : fragmentSizes(selection.name.value);
      if (selection.kind === Kind.FRAGMENT_SPREAD) total.spreads += 1;
      total.aliases += inner.aliases;
      total.directives += inner.directives;
      total.topFields += inner.topFields;
      total.spreads += inner.spreads;
      total.depth = Math.max(total.depth, inner.depth);
    }
  }
  return total;
}

/** Names of every fragment spread anywhere inside a selection set (iterative). */
function collectSpreads(root: SelectionSetNode): string[] {
  const names: string[] = [];
  const stack: SelectionSetNode[] = [root];
  for (let set = stack.pop(); set; set = stack.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) names.push(selection.name.value);
      else if (selection.selectionSet) stack.push(selection.selectionSet);
    }
  }
  return names;
}

/** Iterative three-colour DFS over the spread graph: linear, no recursion. */
function hasCycle(graph: Map<string, string[]>): boolean {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of graph.keys()) {
    if (state.has(start)) continue;
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: number };
      const edges = graph.get(top.name) ?? [];
      if (top.next >= edges.length) {
        state.set(top.name, 'done');
        stack.pop();
        continue;
      }
      const child = edges[top.next++] as string;
      const s = state.get(child);
      if (s === 'open') return true;
      if (s === undefined) {
        state.set(child, 'open');
        stack.push({ name: child, next: 0 });
      }
    }
  }
  return false;
}

/** Fragment names, each after every fragment it spreads (graph known to be acyclic). */
function topologicalOrder(graph: Map<string, string[]>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const start of graph.keys()) {
    if (seen.has(start)) continue;
    seen.add(start);
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: number };
      const edges = graph.get(top.name) ?? [];
      if (top.next >= edges.length) {
        order.push(top.name);
        stack.pop();
        continue;
      }
      const child = edges[top.next++] as string;
      if (!seen.has(child)) {
        seen.add(child);
        stack.push({ name: child, next: 0 });
      }
    }
  }
  return order;
}

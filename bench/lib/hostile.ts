/**
 * Hostile GraphQL documents of an exact HTTP body size. Every body is what an attacker would
 * POST to /graphql (JSON), padded with insignificant whitespace to the byte. No document
 * contains a character JSON would escape, so its size is its length.
 */
export type HostileClass =
  'deep-nesting' | 'aliases' | 'fragment-fan-out' | 'directive-flood' | 'huge-token-count' | 'wide-batch';

export const HOSTILE_CLASSES: HostileClass[] = [
  'deep-nesting',
  'aliases',
  'fragment-fan-out',
  'directive-flood',
  'huge-token-count',
  'wide-batch',
];

const WRAP = (doc: string) => `{"query":"${doc}"}`;
const WRAP_BYTES = WRAP('').length;

/** prefix + units (as many as fit) + suffix(count), then spaces to exactly `size` bytes of document. */
function fill(
  size: number,
  prefix: string,
  unit: (i: number) => string,
  suffix: (count: number) => string,
): string {
  const parts = [prefix];
  let length = prefix.length;
  let count = 0;
  // Bounded: at most one unit per byte of the target size.
  for (; count < size; count++) {
    const u = unit(count);
    if (length + u.length + suffix(count + 1).length > size) break;
    parts.push(u);
    length += u.length;
  }
  const doc = parts.join('') + suffix(count);
  return doc + ' '.repeat(Math.max(0, size - doc.length));
}

/** The body (JSON text) of `kind` at exactly `bytes` bytes (for bytes ≥ ~100). */
export function hostileBody(kind: HostileClass, bytes: number): string {
  const size = bytes - WRAP_BYTES;
  switch (kind) {
    // products → reviews → product → reviews …: real fields, so only a depth limit stops it.
    case 'deep-nesting':
      return WRAP(
        fill(
          size,
          'query{products(first:1){edges{node{',
          () => 'reviews(first:1){edges{node{product{',
          (n) => `id${'}}}}'.repeat(n)}}}}}`,
        ),
      );
    // a0:__typename a1:__typename …: one field asked for thousands of times.
    case 'aliases':
      return WRAP(
        fill(
          size,
          'query{',
          (i) => `a${i}:__typename `,
          () => '}',
        ),
      );
    // F0 spreads F1 twice, F1 spreads F2 twice …: 2^n expansion from n fragments.
    case 'fragment-fan-out':
      return WRAP(
        fill(
          size,
          'query{...F0}',
          (i) => `fragment F${i} on Query{...F${i + 1} ...F${i + 1}}`,
          (n) => `fragment F${n} on Query{__typename}`,
        ),
      );
    // One field carrying thousands of directives.
    case 'directive-flood':
      return WRAP(
        fill(
          size,
          'query{__typename',
          () => '@include(if:true)',
          () => '}',
        ),
      );
    // Tens of thousands of tokens in one selection set.
    case 'huge-token-count':
      return WRAP(
        fill(
          size,
          'query{',
          () => '__typename ',
          () => '}',
        ),
      );
    // A JSON array of operations in one HTTP request.
    case 'wide-batch': {
      const op = '{"query":"{__typename}"}';
      const n = Math.max(1, Math.floor((bytes - 2 + 1) / (op.length + 1)));
      const body = `[${Array.from({ length: n }, () => op).join(',')}]`;
      return body.slice(0, -1) + ' '.repeat(Math.max(0, bytes - body.length)) + ']';
    }
  }
}

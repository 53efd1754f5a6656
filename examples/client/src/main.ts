/**
 * A typed client with nothing but `fetch`: the documents generated from operations/*.graphql carry
 * their result and variables types, so `execute` infers both, and their trusted-documents id, which
 * is what is sent (the server needs TRUSTED_DOCUMENTS_MANIFEST=examples/trusted-documents.json).
 * Signs in, lists a page of products, optionally orders the first one, and lists the viewer's orders.
 *
 *   npx tsx examples/client/src/main.ts [--order]
 *
 * Environment: GRAPHQL_URL (default http://localhost:4000/graphql), EXAMPLE_EMAIL and
 * EXAMPLE_PASSWORD (default: the development demo account alice@example.com).
 */
import { pathToFileURL } from 'node:url';
import {
  CreateOrderDocument,
  LoginDocument,
  MyOrdersDocument,
  ProductsPageDocument,
  type CreateOrderMutation,
  type LoginMutation,
  type MyOrdersQuery,
  type ProductsPageQuery,
  type TypedDocumentString,
} from './gql/graphql.js';

/** An error as the API sends it: every one carries `extensions.code` (and `fieldErrors` for BAD_USER_INPUT). */
export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; fieldErrors?: Record<string, string>; [key: string]: unknown };
}

/** A request the API refused, in whole or in part: the HTTP status and the errors as sent. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiError[],
  ) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ') || `HTTP ${status}`);
    this.name = 'ApiRequestError';
  }

  /** `extensions.code` of the first error (UNAUTHENTICATED, BAD_USER_INPUT, RATE_LIMITED…). */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

// Variables are required exactly when the operation declares a required one.
type VariablesArgument<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export type Execute = <TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: VariablesArgument<TVariables>
) => Promise<TResult>;

/**
 * What names the document in the request: its trusted-documents id when codegen embedded one (every
 * generated document has it, from examples/trusted-documents.json's builder), so that a server in
 * `TRUSTED_DOCUMENTS=require` mode runs it; else its text, which such a server refuses unless the
 * manifest holds that very text.
 */
function documentOf<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>) {
  const id: unknown = document.__meta__?.documentId;
  return typeof id === 'string' ? { documentId: `sha256:${id}` } : { query: document.toString() };
}

/**
 * `execute(document, variables)` against `endpoint`, with `Authorization: Bearer` when `token()`
 * gives one. Any error rejects (this example has no use for partial data).
 */
export function createClient(endpoint: string, token: () => string | undefined = () => undefined): Execute {
  return async function execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<TResult> {
    const accessToken = token();
    const response = await fetch(endpoint, {
      // POST with a JSON body: the server's CSRF check refuses a GET without a preflight header.
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      body: JSON.stringify({ ...documentOf(document), variables }),
    });
    // The shape of `data` is TResult because the server validated this very document (for an id, the
    // manifest's text of the same operation) against the schema its types came from.
    let body: { data?: TResult | null; errors?: ApiError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // Not GraphQL at all (a proxy's error page, say): the status is all there is.
      throw new ApiRequestError(response.status, []);
    }
    if (body.errors?.length || body.data === undefined || body.data === null)
      throw new ApiRequestError(response.status, body.errors ?? []);
    return body.data;
  };
}

export interface ExampleOptions {
  endpoint: string;
  email: string;
  password: string;
  /** Also order one of the first product listed (each such run adds an order). */
  order?: boolean;
  log?: (line: string) => void;
}

export interface ExampleResult {
  viewer: LoginMutation['login']['user'];
  products: ProductsPageQuery['products'];
  order: CreateOrderMutation['createOrder'] | null;
  orders: MyOrdersQuery['myOrders'];
}

const money = (cents: number) => (cents / 100).toFixed(2);

/** The example itself: every call typed by its document, nothing declared by hand. */
export async function runExample(options: ExampleOptions): Promise<ExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  // The access token lives in memory only (15 minutes); refreshing it is a browser's job, through
  // the httpOnly cookie login also sets.
  const session: { accessToken?: string } = {};
  const execute = createClient(options.endpoint, () => session.accessToken);

  const { login } = await execute(LoginDocument, {
    input: { email: options.email, password: options.password },
  });
  session.accessToken = login.accessToken;
  log(`signed in as ${login.user.name} <${login.user.email ?? '?'}> until ${login.expiresAt}`);

  const { products } = await execute(ProductsPageDocument, { first: 5 });
  log(`${products.totalCount} products; the first ${products.edges.length}:`);
  for (const { node } of products.edges) log(`  ${node.name}  ${money(node.priceCents)}`);

  let order: CreateOrderMutation['createOrder'] | null = null;
  const first = products.edges[0]?.node;
  if (options.order && first) {
    ({ createOrder: order } = await execute(CreateOrderDocument, {
      input: {
        items: [{ productId: first.id, quantity: 1 }],
        shippingAddress: { line1: '1 Example Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
      },
    }));
    log(`ordered ${first.name}: order ${order.id}, ${order.status}, ${money(order.totalCents)}`);
  }

  const { myOrders } = await execute(MyOrdersDocument, { first: 10 });
  log(`your orders (${myOrders.edges.length}${myOrders.pageInfo.hasNextPage ? '+' : ''}):`);
  for (const { node } of myOrders.edges) {
    const items = node.items.map((item) => `${item.quantity} × ${item.product.name}`).join(', ');
    log(`  ${node.createdAt}  ${node.status}  ${money(node.totalCents)}  ${items}`);
  }
  return { viewer: login.user, products, order, orders: myOrders };
}

// Run as a program (not when imported, as the test does).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExample({
    endpoint: process.env.GRAPHQL_URL ?? 'http://localhost:4000/graphql',
    email: process.env.EXAMPLE_EMAIL ?? 'alice@example.com',
    password: process.env.EXAMPLE_PASSWORD ?? 'alice-demo-password-1',
    order: process.argv.includes('--order'),
  }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

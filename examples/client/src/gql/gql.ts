/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    id\n    status\n    totalCents\n    items {\n      quantity\n      product {\n        name\n      }\n    }\n  }\n}": typeof types.CreateOrderDocument,
    "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    accessToken\n    expiresAt\n    user {\n      id\n      name\n      email\n    }\n  }\n}": typeof types.LoginDocument,
    "query MyOrders($first: Int!, $after: String) {\n  myOrders(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        status\n        totalCents\n        createdAt\n        items {\n          quantity\n          unitPriceCents\n          product {\n            id\n            name\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.MyOrdersDocument,
    "query ProductsPage($first: Int!, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        name\n        priceCents\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": typeof types.ProductsPageDocument,
};
const documents: Documents = {
    "mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    id\n    status\n    totalCents\n    items {\n      quantity\n      product {\n        name\n      }\n    }\n  }\n}": types.CreateOrderDocument,
    "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    accessToken\n    expiresAt\n    user {\n      id\n      name\n      email\n    }\n  }\n}": types.LoginDocument,
    "query MyOrders($first: Int!, $after: String) {\n  myOrders(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        status\n        totalCents\n        createdAt\n        items {\n          quantity\n          unitPriceCents\n          product {\n            id\n            name\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.MyOrdersDocument,
    "query ProductsPage($first: Int!, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        name\n        priceCents\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": types.ProductsPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    id\n    status\n    totalCents\n    items {\n      quantity\n      product {\n        name\n      }\n    }\n  }\n}"): typeof import('./graphql.js').CreateOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    accessToken\n    expiresAt\n    user {\n      id\n      name\n      email\n    }\n  }\n}"): typeof import('./graphql.js').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyOrders($first: Int!, $after: String) {\n  myOrders(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        status\n        totalCents\n        createdAt\n        items {\n          quantity\n          unitPriceCents\n          product {\n            id\n            name\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): typeof import('./graphql.js').MyOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ProductsPage($first: Int!, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        name\n        priceCents\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}"): typeof import('./graphql.js').ProductsPageDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

/** The three benchmark queries: trivial, a public catalogue page, and an authenticated list. */
export interface BenchQuery {
  key: 'typename' | 'catalogue' | 'myOrders';
  label: string;
  query: string;
  authenticated: boolean;
}

export const CATALOGUE_QUERY = `query Catalogue {
  products(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name description priceCents
      reviews(first: 5) { totalCount edges { node { id rating body createdAt author { id name } } } } } }
  }
}`;

export const MY_ORDERS_QUERY = `query MyOrders {
  myOrders(first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status totalCents createdAt
      items { quantity unitPriceCents product { id name priceCents } } } }
  }
}`;

export const QUERIES: BenchQuery[] = [
  { key: 'typename', label: '{ __typename }', query: '{ __typename }', authenticated: false },
  { key: 'catalogue', label: 'catalogue page', query: CATALOGUE_QUERY, authenticated: false },
  { key: 'myOrders', label: 'myOrders (auth)', query: MY_ORDERS_QUERY, authenticated: true },
];

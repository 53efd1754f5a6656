/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AddressInput = {
  city: string;
  country: Country;
  line1: string;
  postcode: string;
};

export type Country =
  | 'AU'
  | 'GB'
  | 'IN'
  | 'US';

export type CreateOrderInput = {
  items: Array<OrderItemInput>;
  promoCode?: string | null | undefined;
  shippingAddress: AddressInput;
};

export type LoginInput = {
  email: string;
  password: string;
};

export type OrderItemInput = {
  productId: string | number;
  quantity: number;
};

export type OrderStatus =
  | 'CANCELLED'
  | 'PAID'
  | 'PENDING'
  | 'SHIPPED';

export type CreateOrderMutationVariables = Exact<{
  input: CreateOrderInput;
}>;


export type CreateOrderMutation = { createOrder: { id: string, status: OrderStatus, totalCents: number, items: Array<{ quantity: number, product: { name: string } }> } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { accessToken: string, expiresAt: string, user: { id: string, name: string, email: string | null } } };

export type MyOrdersQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type MyOrdersQuery = { myOrders: { edges: Array<{ node: { id: string, status: OrderStatus, totalCents: number, createdAt: string, items: Array<{ quantity: number, unitPriceCents: number, product: { id: string, name: string } }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ProductsPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type ProductsPageQuery = { products: { totalCount: number, edges: Array<{ node: { id: string, name: string, priceCents: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CreateOrderDocument = new TypedDocumentString(`
    mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    id
    status
    totalCents
    items {
      quantity
      product {
        name
      }
    }
  }
}
    `, {"documentId":"d20af89658887a068a795caf43b2640a145de4c29b4fbb11f5125b18af44d2b6"}) as unknown as TypedDocumentString<CreateOrderMutation, CreateOrderMutationVariables>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken
    expiresAt
    user {
      id
      name
      email
    }
  }
}
    `, {"documentId":"32924036babc2888f21ff52f8b233186b37ede2e08fe36cb337b291b365653c6"}) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const MyOrdersDocument = new TypedDocumentString(`
    query MyOrders($first: Int!, $after: String) {
  myOrders(first: $first, after: $after) {
    edges {
      node {
        id
        status
        totalCents
        createdAt
        items {
          quantity
          unitPriceCents
          product {
            id
            name
          }
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"documentId":"fe5d9366809ffe54be0c439d0290349d328c8b645fd99ab1d9b8c722791332c8"}) as unknown as TypedDocumentString<MyOrdersQuery, MyOrdersQueryVariables>;
export const ProductsPageDocument = new TypedDocumentString(`
    query ProductsPage($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    edges {
      node {
        id
        name
        priceCents
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
    totalCount
  }
}
    `, {"documentId":"f261858deb63872c86bdfd00da138771a8d3980566094852f673ed97839bdb3e"}) as unknown as TypedDocumentString<ProductsPageQuery, ProductsPageQueryVariables>;
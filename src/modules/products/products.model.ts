// Row types as the repository returns them; codegen maps the GraphQL Product type onto ProductRow.

/** @graphql Product */
export interface ProductRow {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  createdAt: Date;
}

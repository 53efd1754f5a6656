// Row types as the repository returns them; codegen maps the GraphQL Review type onto ReviewRow.

/** @graphql Review */
export interface ReviewRow {
  id: string;
  productId: string;
  authorId: string;
  rating: number;
  /** Stored in the safe form (made safe on write: validation.ts `safeText`); served as stored. */
  body: string;
  createdAt: Date;
}

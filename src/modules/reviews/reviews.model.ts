// Row types as the repository returns them; codegen maps the GraphQL Review type onto ReviewRow.

/** @graphql Review */
export interface ReviewRow {
  id: string;
  productId: string;
  authorId: string;
  rating: number;
  /** Stored as given; made safe on the way out (Review.body, graphql/safe-text.ts). */
  body: string;
  createdAt: Date;
}

import { childPages, counts } from '../../graphql/dataloaders.js';
import type { ReviewRow } from './reviews.model.js';
import type { ReviewsRepository } from './reviews.repository.js';

export function createReviewsLoaders(reviews: ReviewsRepository) {
  return {
    reviewsByProduct: childPages<ReviewRow>(
      (ids, limit, after) => reviews.pageByProducts(ids, limit, after),
      (r) => r.productId,
    ),
    reviewCountByProduct: counts((ids) => reviews.countByProducts(ids)),
  };
}
export type ReviewsLoaders = ReturnType<typeof createReviewsLoaders>;

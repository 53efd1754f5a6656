import { defineModule } from '../define-module.js';
import { createReviewsLoaders } from './reviews.loaders.js';
import { reviewsRules } from './reviews.policy.js';
import { createReviewsRepository } from './reviews.repository.js';
import { reviewsResolvers } from './reviews.resolvers.js';
import { createReviewsService } from './reviews.service.js';

/** Reviews: a product's reviews (paged, batched per request) and adding one. */
export const reviewsModule = defineModule({
  name: 'reviews',
  createRepository: createReviewsRepository,
  createService: ({ repository }) => createReviewsService(repository),
  createLoaders: createReviewsLoaders,
  resolvers: reviewsResolvers,
  rules: reviewsRules,
});

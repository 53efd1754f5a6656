import { badUserInput } from '../../errors.js';
import { parsePage, toConnection, type ConnectionModel } from '../../graphql/pagination.js';
import type { RequestScope } from '../../graphql/request-scope.js';
import { assertCan } from '../../policy/policy.js';
import { parseInput } from '../../validation.js';
import type { ProductsLoaders } from '../products/products.loaders.js';
import type { ProductRow } from '../products/products.model.js';
import { addReviewInput } from './reviews.inputs.js';
import type { ReviewsLoaders } from './reviews.loaders.js';
import type { ReviewRow } from './reviews.model.js';
import type { ReviewsRepository } from './reviews.repository.js';

/** Reviews read their own loaders, and products by id (a review is added to an existing product). */
type ServiceScope = RequestScope<ReviewsLoaders & Pick<ProductsLoaders, 'productById'>>;

export function createReviewsService(reviews: ReviewsRepository) {
  return {
    async forProduct(
      scope: ServiceScope,
      product: ProductRow,
      args: { first: number; after?: string | null },
    ): Promise<ConnectionModel<ReviewRow>> {
      const page = parsePage(args);
      const rows = await scope.loaders.reviewsByProduct.load({
        parentId: product.id,
        limit: page.first + 1,
        after: page.after,
      });
      return toConnection(rows, page.first, () => scope.loaders.reviewCountByProduct.load(product.id));
    },
    async add(scope: ServiceScope, input: unknown): Promise<ReviewRow> {
      assertCan(scope.viewer, 'review:create', null);
      const data = parseInput(addReviewInput, input, 'input');
      const product = await scope.loaders.productById.load(data.productId);
      if (!product) throw badUserInput({ 'input.productId': 'No such product.' });
      if (scope.viewer.kind === 'anonymous')
        throw new Error('unreachable: policy admits no anonymous reviewer');
      return reviews.create({ ...data, authorId: scope.viewer.userId });
    },
  };
}
export type ReviewsService = ReturnType<typeof createReviewsService>;

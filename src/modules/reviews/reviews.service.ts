import type { ProductRow, ReviewRow } from '../../db/rows.js';
import { badUserInput } from '../../errors.js';
import { assertCan } from '../../policy/policy.js';
import type { Repositories } from '../../repositories.js';
import type { RequestScope } from '../../scope.js';
import { parseInput } from '../../validation.js';
import { parsePage, toConnection, type ConnectionModel } from '../../graphql/pagination.js';
import { addReviewInput } from './reviews.inputs.js';

export function createReviewsService(repos: Repositories) {
  return {
    async forProduct(
      scope: RequestScope,
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
    async add(scope: RequestScope, input: unknown): Promise<ReviewRow> {
      assertCan(scope.viewer, 'review:create', null);
      const data = parseInput(addReviewInput, input, 'input');
      const product = await scope.loaders.productById.load(data.productId);
      if (!product) throw badUserInput({ 'input.productId': 'No such product.' });
      if (scope.viewer.kind === 'anonymous')
        throw new Error('unreachable: policy admits no anonymous reviewer');
      return repos.reviews.create({ ...data, authorId: scope.viewer.userId });
    },
  };
}

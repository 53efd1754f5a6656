import { parsePage, toConnection, type ConnectionModel } from '../../graphql/pagination.js';
import type { RequestScope } from '../../graphql/request-scope.js';
import { assertCan } from '../../policy/policy.js';
import { parseInput } from '../../validation.js';
import { createProductInput, productId, productSearch } from './products.inputs.js';
import type { ProductsLoaders } from './products.loaders.js';
import type { ProductRow } from './products.model.js';
import type { ProductsRepository } from './products.repository.js';

type ServiceScope = RequestScope<ProductsLoaders>;

export function createProductsService(products: ProductsRepository) {
  return {
    async list(
      scope: ServiceScope,
      args: { first: number; after?: string | null; search?: string | null },
    ): Promise<ConnectionModel<ProductRow>> {
      assertCan(scope.viewer, 'product:read', null);
      const page = parsePage(args);
      const { search } = parseInput(productSearch, { search: args.search });
      const term = search ? search : null;
      const rows = await products.page(page.first + 1, page.after, term);
      return toConnection(rows, page.first, () => products.count(term));
    },
    async get(scope: ServiceScope, args: { id: string }): Promise<ProductRow | null> {
      assertCan(scope.viewer, 'product:read', null);
      const { id } = parseInput(productId, args);
      return scope.loaders.productById.load(id);
    },
    async create(scope: ServiceScope, input: unknown): Promise<ProductRow> {
      assertCan(scope.viewer, 'product:create', null);
      const data = parseInput(createProductInput, input, 'input');
      return products.create(data);
    },
  };
}
export type ProductsService = ReturnType<typeof createProductsService>;

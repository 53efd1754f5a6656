import type { ProductRow } from '../../db/rows.js';
import { assertCan } from '../../policy/policy.js';
import type { Repositories } from '../../repositories.js';
import type { RequestScope } from '../../scope.js';
import { parseInput } from '../../validation.js';
import { parsePage, toConnection, type ConnectionModel } from '../../graphql/pagination.js';
import { createProductInput, productId, productSearch } from './products.inputs.js';

export function createProductsService(repos: Repositories) {
  return {
    async list(
      scope: RequestScope,
      args: { first: number; after?: string | null; search?: string | null },
    ): Promise<ConnectionModel<ProductRow>> {
      assertCan(scope.viewer, 'product:read', null);
      const page = parsePage(args);
      const { search } = parseInput(productSearch, { search: args.search });
      const term = search ? search : null;
      const rows = await repos.products.page(page.first + 1, page.after, term);
      return toConnection(rows, page.first, () => repos.products.count(term));
    },
    async get(scope: RequestScope, args: { id: string }): Promise<ProductRow | null> {
      assertCan(scope.viewer, 'product:read', null);
      const { id } = parseInput(productId, args);
      return scope.loaders.productById.load(id);
    },
    async create(scope: RequestScope, input: unknown): Promise<ProductRow> {
      assertCan(scope.viewer, 'product:create', null);
      const data = parseInput(createProductInput, input, 'input');
      return repos.products.create(data);
    },
  };
}

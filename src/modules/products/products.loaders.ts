import { byId } from '../../graphql/dataloaders.js';
import type { ProductRow } from './products.model.js';
import type { ProductsRepository } from './products.repository.js';

export function createProductsLoaders(products: ProductsRepository) {
  return {
    productById: byId<ProductRow>((ids) => products.findByIds(ids)),
  };
}
export type ProductsLoaders = ReturnType<typeof createProductsLoaders>;

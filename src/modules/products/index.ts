import { defineModule } from '../define-module.js';
import { createProductsLoaders } from './products.loaders.js';
import { productsRules } from './products.policy.js';
import { createProductsRepository } from './products.repository.js';
import { productsResolvers } from './products.resolvers.js';
import { createProductsService } from './products.service.js';

/** Products: the public catalogue (search, keyset pages) and its admin-only creation. */
export const productsModule = defineModule({
  name: 'products',
  createRepository: createProductsRepository,
  createService: ({ repository }) => createProductsService(repository),
  createLoaders: createProductsLoaders,
  resolvers: productsResolvers,
  rules: productsRules,
});

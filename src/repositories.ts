import type { Db } from './db/client.js';
import { createApiKeysRepository } from './modules/api-keys/api-keys.repository.js';
import { createOrdersRepository } from './modules/orders/orders.repository.js';
import { createProductsRepository } from './modules/products/products.repository.js';
import { createReviewsRepository } from './modules/reviews/reviews.repository.js';
import { createUsersRepository } from './modules/users/users.repository.js';

export function createRepositories(db: Db) {
  return {
    users: createUsersRepository(db),
    products: createProductsRepository(db),
    reviews: createReviewsRepository(db),
    orders: createOrdersRepository(db),
    apiKeys: createApiKeysRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

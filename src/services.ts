import type { AuthService } from './auth/auth.service.js';
import { createApiKeysService } from './modules/api-keys/api-keys.service.js';
import { createOrdersService } from './modules/orders/orders.service.js';
import { createProductsService } from './modules/products/products.service.js';
import { createReviewsService } from './modules/reviews/reviews.service.js';
import { createUsersService } from './modules/users/users.service.js';
import type { Repositories } from './repositories.js';

export function createServices(repos: Repositories, auth: AuthService) {
  return {
    auth,
    users: createUsersService(repos),
    products: createProductsService(repos),
    reviews: createReviewsService(repos),
    orders: createOrdersService(repos),
    apiKeys: createApiKeysService(repos),
  };
}
export type Services = ReturnType<typeof createServices>;

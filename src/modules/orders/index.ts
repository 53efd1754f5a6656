import { defineModule } from '../define-module.js';
import { createOrdersLoaders } from './orders.loaders.js';
import { ordersRules } from './orders.policy.js';
import { createOrdersRepository } from './orders.repository.js';
import { ordersResolvers } from './orders.resolvers.js';
import { createOrdersService } from './orders.service.js';

/** Orders: placing (server-side pricing, one transaction), reading, listing and cancelling. */
export const ordersModule = defineModule({
  name: 'orders',
  createRepository: createOrdersRepository,
  createService: ({ repository }) => createOrdersService(repository),
  createLoaders: createOrdersLoaders,
  resolvers: ordersResolvers,
  rules: ordersRules,
});

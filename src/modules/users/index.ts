import { defineModule } from '../define-module.js';
import { createUsersLoaders } from './users.loaders.js';
import { usersRules } from './users.policy.js';
import { createUsersRepository } from './users.repository.js';
import { usersResolvers } from './users.resolvers.js';
import { createUsersService } from './users.service.js';

/** Users: profiles (the viewer, admin lookup, e-mail visibility, name change). */
export const usersModule = defineModule({
  name: 'users',
  createRepository: createUsersRepository,
  createService: ({ repository }) => createUsersService(repository),
  createLoaders: createUsersLoaders,
  resolvers: usersResolvers,
  rules: usersRules,
});

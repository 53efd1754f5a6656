import { defineModule } from '../define-module.js';
import { identityRules } from './identity.policy.js';
import { createIdentityRepository } from './identity.repository.js';
import { identityResolvers } from './identity.resolvers.js';
import { createIdentityService } from './identity.service.js';

/**
 * Identity: accounts, sessions, passwords and API keys, as use cases over the auth mechanisms
 * (src/auth/). Its repository implements the mechanisms' ports (UserDirectory, ApiKeyDirectory).
 */
export const identityModule = defineModule({
  name: 'identity',
  createRepository: createIdentityRepository,
  createService: createIdentityService,
  resolvers: identityResolvers,
  rules: identityRules,
});

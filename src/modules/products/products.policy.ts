import { defineRules, hasScope, isAdminUser } from '../../policy/policy.js';

declare module '../../policy/policy.js' {
  interface Actions {
    'product:read': null;
    'product:create': null;
  }
}

export const productsRules = defineRules({
  // The catalogue is public; a key reads it only when it was given PRODUCTS_READ.
  'product:read': (v) => v.kind !== 'apiKey' || hasScope(v, 'PRODUCTS_READ'),
  'product:create': (v) => isAdminUser(v),
});

import { defineRules, userOrKeyWith } from '../../policy/policy.js';

declare module '../../policy/policy.js' {
  interface Actions {
    'review:create': null;
  }
}

export const reviewsRules = defineRules({
  'review:create': (v) => userOrKeyWith(v, 'REVIEWS_WRITE'),
});

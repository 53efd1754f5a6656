import { defineRules, isAdminUser, isSelf, isUser } from '../../policy/policy.js';
import type { UserRow } from './users.model.js';

declare module '../../policy/policy.js' {
  interface Actions {
    'user:read': UserRow;
    'user:read-email': UserRow;
    'user:update-profile': null;
  }
}

export const usersRules = defineRules({
  // `user(id)` is an admin tool (docs/api.md); a user reads themself through `viewer`.
  'user:read': (v) => isAdminUser(v),
  'user:read-email': (v, user) => isAdminUser(v) || isSelf(v, user.id),
  'user:update-profile': (v) => isUser(v),
});

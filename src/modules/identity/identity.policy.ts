import { defineRules, isUser } from '../../policy/policy.js';
import type { ApiKeyRow } from './identity.model.js';

declare module '../../policy/policy.js' {
  interface Actions {
    'apikey:manage': ApiKeyRow | null;
    'session:manage': null;
  }
}

// API keys never reach account management (keys, sessions): a leaked key cannot mint more keys
// or end its owner's sessions.
export const identityRules = defineRules({
  'apikey:manage': (v, key) => isUser(v) && (key === null || key.userId === v.userId),
  'session:manage': (v) => isUser(v),
});

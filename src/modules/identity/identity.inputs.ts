import { z } from 'zod';
import { Scope } from '../../generated/schema-types.js';
import { email, password, personName, safeText, uuid } from '../../validation.js';

export const registerInput = z.strictObject({ email, password, name: personName });

export const loginInput = z.strictObject({
  email: z.string().max(254, 'Must be at most 254 characters.'),
  password: z.string().max(128, 'Must be at most 128 characters.'),
});

export const requestPasswordResetInput = z.object({
  email: z.string().max(254, 'Must be at most 254 characters.'),
});

/** A mailed single-use token (43 characters of base64url; anything far longer is not one). */
const mailedToken = z.string().min(1, 'Must not be empty.').max(200, 'Must be at most 200 characters.');

export const resetPasswordInput = z.object({ token: mailedToken, newPassword: password });

export const verifyEmailInput = z.object({ token: mailedToken });

export const apiKeyId = z.object({ id: uuid });

/**
 * An API key's client tier (set by an operator, never through the API): the rule of the api_keys
 * tier CHECK (migration 004), so a bad name is refused with a message before the database is.
 */
export const apiKeyTier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,31}$/,
    'Must be 1 to 32 characters of a-z, 0-9, _ and -, starting with a letter or digit.',
  );

export const createApiKeyInput = z.strictObject({
  name: safeText(1, 80),
  scopes: z
    .array(z.enum(Scope))
    .min(1, 'Must list between 1 and 4 scopes.')
    .max(4, 'Must list between 1 and 4 scopes.')
    .refine((s) => new Set(s).size === s.length, 'Must not repeat a scope.'),
});

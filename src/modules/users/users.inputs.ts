import { z } from 'zod';
import { email, password, personName, uuid } from '../../validation.js';

export const userId = z.object({ id: uuid });

// strictObject: unknown keys (role, email, id…) are rejected rather than silently dropped, so a
// mass-assignment attempt is visible to the client as BAD_USER_INPUT.
export const updateProfileInput = z.strictObject({ name: personName });

export const registerInput = z.strictObject({ email, password, name: personName });

export const loginInput = z.strictObject({
  email: z.string().max(254, 'Must be at most 254 characters.'),
  password: z.string().max(128, 'Must be at most 128 characters.'),
});

export const requestPasswordResetInput = z.object({
  email: z.string().max(254, 'Must be at most 254 characters.'),
});

export const resetPasswordInput = z.object({
  token: z.string().min(1, 'Must not be empty.').max(200, 'Must be at most 200 characters.'),
  newPassword: password,
});

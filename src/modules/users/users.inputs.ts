import { z } from 'zod';
import { personName, uuid } from '../../validation.js';

export const userId = z.object({ id: uuid });

// strictObject: unknown keys (role, email, id…) are rejected rather than silently dropped, so a
// mass-assignment attempt is visible to the client as BAD_USER_INPUT.
export const updateProfileInput = z.strictObject({ name: personName });

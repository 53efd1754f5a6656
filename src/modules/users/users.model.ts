import type { Role } from '../../generated/schema-types.js';

// Row types as the repositories return them; codegen maps the GraphQL User type onto UserRow
// (`mappers`), so resolvers are type-checked against what the database really holds. Secret
// columns (password_hash, token_version) are never selected into this shape: only the identity
// module reads them.

/** @graphql User */
export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

/** The columns of a UserRow (for every module that selects users). */
export const USER_COLUMNS = 'id, email, name, role, created_at AS "createdAt"';

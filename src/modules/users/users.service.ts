import { notFound } from '../../errors.js';
import type { RequestScope } from '../../graphql/request-scope.js';
import { assertCan, can } from '../../policy/policy.js';
import { parseInput } from '../../validation.js';
import { updateProfileInput, userId } from './users.inputs.js';
import type { UsersLoaders } from './users.loaders.js';
import type { UserRow } from './users.model.js';
import type { UsersRepository } from './users.repository.js';

type ServiceScope = RequestScope<UsersLoaders>;

export function createUsersService(users: UsersRepository) {
  // Rows handed out in an AuthPayload (register, login, refreshSession): the requester has just
  // proved to be this user (password or refresh cookie), even though the request itself arrived
  // without credentials, so their own e-mail is theirs to see. Keyed by object identity: rows are
  // created per request, so a mark never outlives the response it belongs to.
  const provenSelf = new WeakSet<UserRow>();
  return {
    /** The user of an AuthPayload, marked as the requester for property-level rules. */
    authenticatedAs(user: UserRow): UserRow {
      provenSelf.add(user);
      return user;
    },
    /** The signed-in user; null when anonymous. An API key is not a user session. */
    async viewer(scope: ServiceScope): Promise<UserRow | null> {
      if (scope.viewer.kind !== 'user') return null;
      return scope.loaders.userById.load(scope.viewer.userId);
    },
    /** Admin only; for anyone else a user that exists looks exactly like one that does not. */
    async get(scope: ServiceScope, args: { id: string }): Promise<UserRow> {
      const { id } = parseInput(userId, args);
      const user = await scope.loaders.userById.load(id);
      if (!user) throw notFound('User');
      assertCan(scope.viewer, 'user:read', user, { hideAs: 'User' });
      return user;
    },
    /** Property-level rule: the email is visible to its owner and to admins only. */
    email(scope: ServiceScope, user: UserRow): string | null {
      return can(scope.viewer, 'user:read-email', user) || provenSelf.has(user) ? user.email : null;
    },
    async updateProfile(scope: ServiceScope, input: unknown): Promise<UserRow> {
      assertCan(scope.viewer, 'user:update-profile', null);
      const data = parseInput(updateProfileInput, input, 'input');
      if (scope.viewer.kind !== 'user') throw notFound('User');
      const updated = await users.updateName(scope.viewer.userId, data.name);
      if (!updated) throw notFound('User');
      scope.loaders.userById.clear(updated.id).prime(updated.id, updated);
      return updated;
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;

import { byId } from '../../graphql/dataloaders.js';
import type { UserRow } from './users.model.js';
import type { UsersRepository } from './users.repository.js';

export function createUsersLoaders(users: UsersRepository) {
  return {
    userById: byId<UserRow>((ids) => users.findByIds(ids)),
  };
}
export type UsersLoaders = ReturnType<typeof createUsersLoaders>;

import type { Queryable } from '../../db/client.js';
import { USER_COLUMNS, type UserRow } from './users.model.js';

/** Profiles: reads and the name change. Accounts and credentials belong to the identity module. */
export function createUsersRepository(db: Queryable) {
  return {
    async findByIds(ids: readonly string[]): Promise<UserRow[]> {
      return db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
    },
    async updateName(id: string, name: string): Promise<UserRow | null> {
      const rows = await db.query<UserRow>(
        `UPDATE users SET name = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, name],
      );
      return rows[0] ?? null;
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;

import type { AuthPayloadModel, UserRow } from '../db/rows.js';
import { AppError, badUserInput, ErrorCode, unauthenticated } from '../errors.js';
import { loginInput, registerInput } from '../modules/users/users.inputs.js';
import { assertCan } from '../policy/policy.js';
import type { Repositories } from '../repositories.js';
import type { RequestScope } from '../scope.js';
import { parseInput } from '../validation.js';
import { hashPassword, isCommonPassword, verifyPassword } from './passwords.js';
import type { TokenService } from './tokens.js';

export interface AuthServiceDeps {
  repos: Repositories;
  tokens: TokenService;
}

/** Identity use cases. Sessions (refresh cookies), lockout and resets plug in here. */
export function createAuthService({ repos, tokens }: AuthServiceDeps) {
  const issue = async (user: UserRow, tokenVersion: number): Promise<AuthPayloadModel> => {
    const { token, expiresAt } = await tokens.sign(user.id, tokenVersion);
    return { accessToken: token, expiresAt, user };
  };

  return {
    async register(_scope: RequestScope, input: unknown): Promise<AuthPayloadModel> {
      const data = parseInput(registerInput, input, 'input');
      if (isCommonPassword(data.password)) {
        throw badUserInput({ 'input.password': 'This password is too common; choose another.' });
      }
      const passwordHash = await hashPassword(data.password);
      const user = await repos.users.create({ email: data.email, name: data.name, passwordHash });
      if (!user) throw badUserInput({ 'input.email': 'This email cannot be used.' });
      return issue(user, 0);
    },
    async login(_scope: RequestScope, input: unknown): Promise<AuthPayloadModel> {
      const data = parseInput(loginInput, input, 'input');
      const user = await repos.users.findCredentialsByEmail(data.email.trim());
      // Same work and the same answer whether the account is missing or the password wrong.
      const ok = await verifyPassword(user?.passwordHash ?? null, data.password);
      if (!user || !ok) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid email or password.');
      return issue(user, user.tokenVersion);
    },
    // Refresh sessions, logout and password reset are built in issue #3; until then they
    // answer with a clean coded error rather than pretending to work.
    async refreshSession(_scope: RequestScope): Promise<AuthPayloadModel> {
      throw unauthenticated('No valid refresh session.');
    },
    async logout(_scope: RequestScope): Promise<boolean> {
      return true;
    },
    async requestPasswordReset(_scope: RequestScope, _args: { email: string }): Promise<boolean> {
      return true;
    },
    async resetPassword(
      _scope: RequestScope,
      _args: { token: string; newPassword: string },
    ): Promise<boolean> {
      throw badUserInput({ token: 'Invalid or expired token.' });
    },
    /** Ends every session of the user and invalidates every access token issued so far. */
    async logoutEverywhere(scope: RequestScope): Promise<boolean> {
      assertCan(scope.viewer, 'session:manage', null);
      if (scope.viewer.kind !== 'user') throw unauthenticated();
      await repos.users.bumpTokenVersion(scope.viewer.userId);
      return true;
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

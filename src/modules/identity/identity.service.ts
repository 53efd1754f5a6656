import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { LoginLockedError, type LoginAttempt } from '../../auth/login-throttle.js';
import { withAuthDefaults, type AuthMechanisms } from '../../auth/mechanisms.js';
import { hashPassword, isCommonPassword, verifyPassword } from '../../auth/passwords.js';
import {
  clearRefreshCookie,
  readRefreshCookie,
  REFRESH_TTL_SECONDS,
  setRefreshCookie,
} from '../../auth/refresh-cookie.js';
import { describeViewer } from '../../auth/viewer.js';
import { AppError, badUserInput, ErrorCode, rateLimited, unauthenticated } from '../../errors.js';
import type { RequestScope } from '../../graphql/request-scope.js';
import { securityEvent, type SecurityEventFields } from '../../audit/audit.js';
import type { SecurityEventType } from '../../audit/events.js';
import { assertCan } from '../../policy/policy.js';
import { parseInput } from '../../validation.js';
import type { UserRow } from '../users/users.model.js';
import { createApiKeysService } from './api-keys.service.js';
import type { AuthPayloadModel } from './identity.model.js';
import {
  loginInput,
  registerInput,
  requestPasswordResetInput,
  resetPasswordInput,
} from './identity.inputs.js';
import type { IdentityRepository } from './identity.repository.js';

export const PASSWORD_RESET_TTL_SECONDS = 30 * 60;

/** What identity use cases need from the request (the GraphQL context provides all of it). */
export interface AuthScope extends RequestScope {
  requestId: string;
  ip: string;
  /** The client network (RequestIdentity.network): what the login throttle counts per address. */
  network: string;
  req: Request;
  res: Response;
  log: Logger;
}

export interface IdentityServiceDeps {
  repository: IdentityRepository;
  /** Sessions, throttle and mailer default to single-instance ones (auth/mechanisms.ts). */
  auth: AuthMechanisms;
}

/**
 * Refresh tokens are opaque random values, not JWTs: a refresh token is only ever read by this
 * server, it must be revocable at once (rotation, reuse, logout), and a lookup in the store is
 * needed for that anyway, so a signed self-contained format would add nothing but size.
 * 32 random bytes make a fast hash (SHA-256) safe for storage: only the hash is kept.
 */
const newOpaqueToken = () => randomBytes(32).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Identity use cases: register, login, refresh sessions, logout, password reset, and API-key
 * management, over the auth mechanisms (tokens, passwords, sessions, login throttle, mailer).
 */
export function createIdentityService({ repository, auth }: IdentityServiceDeps) {
  const { tokens, sessions, throttle, mailer, resetUrl } = withAuthDefaults(auth);
  const { credentials } = repository;
  const issue = async (user: UserRow, tokenVersion: number): Promise<AuthPayloadModel> => {
    const { token, expiresAt } = await tokens.sign(user.id, tokenVersion);
    return { accessToken: token, expiresAt, user };
  };

  const event = (scope: AuthScope, type: SecurityEventType, fields: SecurityEventFields = {}) =>
    securityEvent(scope.log, type, {
      requestId: scope.requestId,
      ip: scope.ip,
      viewer: describeViewer(scope.viewer),
      ...fields,
    });

  /** A new session family (one per login), its first token in the refresh cookie. */
  const startSession = async (scope: AuthScope, userId: string) => {
    const token = newOpaqueToken();
    const { ttlSeconds } = await sessions.create({
      familyId: randomUUID(),
      userId,
      tokenHash: sha256(token),
      ttlSeconds: REFRESH_TTL_SECONDS,
    });
    setRefreshCookie(scope.res, token, ttlSeconds);
  };

  // The UNAUTHENTICATED answers below are logged as auth_failure by the audit plugin;
  // only the events it cannot see (reuse, lockout, reset) are written here.
  const refuseRefresh = (scope: AuthScope) => {
    clearRefreshCookie(scope.res);
    return unauthenticated('No valid refresh session.');
  };

  return {
    apiKeys: createApiKeysService(repository.apiKeys),

    async register(scope: AuthScope, input: unknown): Promise<AuthPayloadModel> {
      const data = parseInput(registerInput, input, 'input');
      if (isCommonPassword(data.password)) {
        throw badUserInput({ 'input.password': 'This password is too common; choose another.' });
      }
      const passwordHash = await hashPassword(data.password);
      const user = await credentials.createUser({ email: data.email, name: data.name, passwordHash });
      if (!user) throw badUserInput({ 'input.email': 'This email cannot be used.' });
      await startSession(scope, user.id);
      return issue(user, 0);
    },

    async login(scope: AuthScope, input: unknown): Promise<AuthPayloadModel> {
      const data = parseInput(loginInput, input, 'input');
      const email = data.email.trim().toLowerCase();
      let attempt: LoginAttempt;
      try {
        // Before any password work: a locked account answers RATE_LIMITED even to the right password.
        attempt = await throttle.begin(email, scope.network);
      } catch (error) {
        if (!(error instanceof LoginLockedError)) throw error;
        event(scope, 'lockout', {
          action: 'refused',
          lock: error.scope,
          retryAfter: error.retryAfterSeconds,
        });
        throw rateLimited(error.retryAfterSeconds, 'Too many failed logins; try again later.');
      }
      const user = await credentials.findCredentialsByEmail(email);
      // Same work and the same answer whether the account is missing or the password wrong.
      const ok = await verifyPassword(user?.passwordHash ?? null, data.password);
      if (!user || !ok) {
        const locks = await attempt.failed();
        for (const lock of locks) event(scope, 'lockout', { action: 'locked', lock });
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid email or password.');
      }
      await attempt.succeeded();
      await startSession(scope, user.id);
      return issue(user, user.tokenVersion);
    },

    /**
     * Rotates the refresh cookie: the presented token stops working at once and a new one of the
     * same family is set. A token that was already rotated away is reuse (a stolen copy, or the
     * loser of a race between two refreshes — indistinguishable, so clients must not refresh
     * concurrently): the whole family ends, the thief's copy and the victim's alike. A family
     * past its absolute lifetime (REFRESH_ABSOLUTE_DAYS from its login) is refused like any
     * invalid token, however recently it was used: the user signs in again.
     */
    async refreshSession(scope: AuthScope): Promise<AuthPayloadModel> {
      const presented = readRefreshCookie(scope.req);
      if (!presented) throw refuseRefresh(scope);
      const next = newOpaqueToken();
      const result = await sessions.rotate(sha256(presented), sha256(next), REFRESH_TTL_SECONDS);
      if (result.status === 'reused') {
        event(scope, 'token_reuse', { userId: result.userId, familyId: result.familyId });
        throw refuseRefresh(scope);
      }
      if (result.status === 'invalid') throw refuseRefresh(scope);
      const user = await credentials.findCredentialsById(result.userId);
      if (!user) {
        await sessions.revokeByToken(sha256(next));
        throw refuseRefresh(scope);
      }
      // The cookie lives as long as the new token: never past the family's absolute end.
      setRefreshCookie(scope.res, next, result.ttlSeconds);
      return issue(user, user.tokenVersion);
    },

    /** Ends the session family of the refresh cookie (if any) and clears the cookie. */
    async logout(scope: AuthScope): Promise<boolean> {
      const presented = readRefreshCookie(scope.req);
      if (presented) await sessions.revokeByToken(sha256(presented));
      clearRefreshCookie(scope.res);
      return true;
    },

    /** Ends every session of the user and invalidates every access token issued so far. */
    async logoutEverywhere(scope: AuthScope): Promise<boolean> {
      assertCan(scope.viewer, 'session:manage', null);
      if (scope.viewer.kind !== 'user') throw unauthenticated();
      await credentials.bumpTokenVersion(scope.viewer.userId);
      await sessions.revokeUser(scope.viewer.userId);
      clearRefreshCookie(scope.res);
      return true;
    },

    /**
     * Always true. For an existing account a single-use token is stored (hashed, 30 minutes) and
     * handed to the mailer without waiting for delivery, so the answer and nearly all of the
     * time taken are the same whether or not the account exists.
     */
    async requestPasswordReset(scope: AuthScope, args: { email: string }): Promise<boolean> {
      const { email } = parseInput(requestPasswordResetInput, args);
      const user = await credentials.findCredentialsByEmail(email.trim());
      const token = newOpaqueToken();
      const tokenHash = sha256(token);
      if (!user) return true;
      const expiresAt = new Date(Date.now() + PASSWORD_RESET_TTL_SECONDS * 1000);
      await credentials.createPasswordResetToken(user.id, tokenHash, expiresAt);
      // In the fragment, not the query: fragments are not sent to servers or in Referer headers.
      const link = `${resetUrl}#token=${token}`;
      mailer
        .sendPasswordReset({ to: user.email, userId: user.id, token, link, expiresAt })
        .catch((error: unknown) =>
          scope.log.error({ err: error, userId: user.id }, 'password reset mail failed'),
        );
      event(scope, 'password_reset', { action: 'requested', userId: user.id });
      return true;
    },

    /**
     * Consumes a reset token once, sets the new password, and ends everything the old password
     * opened: every refresh family and every outstanding access token.
     */
    async resetPassword(scope: AuthScope, args: { token: string; newPassword: string }): Promise<boolean> {
      const data = parseInput(resetPasswordInput, args);
      // Checked before the token is consumed, so a rejected password does not burn the link.
      if (isCommonPassword(data.newPassword)) {
        throw badUserInput({ newPassword: 'This password is too common; choose another.' });
      }
      const userId = await credentials.consumePasswordResetToken(sha256(data.token));
      if (!userId) throw badUserInput({ token: 'Invalid or expired token.' });
      await credentials.setPasswordHash(userId, await hashPassword(data.newPassword));
      await credentials.bumpTokenVersion(userId);
      await sessions.revokeUser(userId);
      const user = await credentials.findCredentialsById(userId);
      // The owner proved control of the mailbox: a lock set by someone guessing is lifted.
      if (user) await throttle.clearAccount(user.email);
      clearRefreshCookie(scope.res);
      event(scope, 'password_reset', { action: 'completed', userId });
      return true;
    },
  };
}
export type IdentityService = ReturnType<typeof createIdentityService>;

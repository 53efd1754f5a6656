import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { LoginLockedError, type LoginAttempt } from '../../auth/login-throttle.js';
import { withAuthDefaults, type AuthMechanisms } from '../../auth/mechanisms.js';
import { MAIL_PER_ADDRESS, MAIL_WINDOW_SECONDS } from '../../auth/mail-quota.js';
import { isCommonPassword } from '../../auth/passwords.js';
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
import { attributeTo } from '../../audit/marks.js';
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
  verifyEmailInput,
} from './identity.inputs.js';
import type { IdentityRepository } from './identity.repository.js';

export const PASSWORD_RESET_TTL_SECONDS = 30 * 60;
export const EMAIL_VERIFICATION_TTL_SECONDS = 24 * 60 * 60;

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
  /** Sessions, throttle, mailer and the rest default to single-instance ones (auth/mechanisms.ts). */
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

/** What of a failure may be logged: never the error object itself (a transport may attach the message). */
const failureSummary = (error: unknown) =>
  error instanceof Error
    ? { name: error.name, message: error.message, code: (error as { code?: unknown }).code }
    : { message: 'unknown failure' };

/**
 * Identity use cases: register and verify the address, login, refresh sessions, logout, password
 * reset, and API-key management, over the auth mechanisms (tokens, passwords, sessions, login
 * throttle, mailer).
 *
 * Equal work: register, login and requestPasswordReset answer in the same time whether or not the
 * account exists. Before the answer, both paths do the same password work (register: one hash;
 * login: one verification) and the same statements; everything that differs (the insert or its
 * conflict, the reset lookup and token, which mail) runs after the answer has been sent
 * (afterAnswer), where its time and its failures cannot reach the client.
 */
export function createIdentityService({ repository, auth }: IdentityServiceDeps) {
  const { tokens, sessions, throttle, mailer, mailQuota, passwords, afterAnswer, resetUrl, verifyUrl } =
    withAuthDefaults(auth);
  const { credentials } = repository;
  const issue = async (user: UserRow, tokenVersion: number): Promise<AuthPayloadModel> => {
    const { token, expiresAt } = await tokens.sign(user.id, tokenVersion);
    return { accessToken: token, expiresAt, user };
  };

  const event = (scope: AuthScope, type: SecurityEventType, fields: SecurityEventFields = {}) =>
    securityEvent(scope.log, type, {
      requestId: scope.requestId,
      ip: scope.ip,
      network: scope.network,
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

  const logFailure = (scope: AuthScope, what: string, userId: string | null, error: unknown) =>
    scope.log.error({ err: failureSummary(error), userId }, `${what} failed`);
  /** Runs `task` once the answer is sent; a failure is logged (without the token), nothing more. */
  const later = (scope: AuthScope, what: string, userId: string | null, task: () => Promise<void>) =>
    afterAnswer.schedule(scope.res, task, (error) => logFailure(scope, what, userId, error));

  /**
   * Takes one mail of the target address's quota (auth/mail-quota.ts). Spent: a limit_hit event
   * (without the address) and nothing else happens; the client got its `true` long ago.
   */
  const mayMail = async (scope: AuthScope, operation: string, address: string) => {
    if (await mailQuota.take(address)) return true;
    event(scope, 'limit_hit', {
      protection: 'mailQuota',
      limit: 'mail_per_address',
      operation,
      maxMails: MAIL_PER_ADDRESS,
      windowSeconds: MAIL_WINDOW_SECONDS,
    });
    return false;
  };

  // The UNAUTHENTICATED answers below are logged as auth_failure by the audit plugin;
  // only the events it cannot see (reuse, lockout, reset) are written here.
  /** `logged`: the caller wrote this decision's event already (token reuse). */
  const refuseRefresh = (scope: AuthScope, logged = false) => {
    clearRefreshCookie(scope.res);
    return attributeTo(unauthenticated('No valid refresh session.'), 'refreshSessions', { logged });
  };

  return {
    apiKeys: createApiKeysService(repository.apiKeys),

    /**
     * Always true for well-formed input. A new address gets an unverified account and a
     * verification mail (single-use token, 24 hours, only its hash stored); a taken one gets a
     * notice mail and no change at all. Before the answer both paths do the same: validate and
     * hash the password. The one statement that tells them apart (insert, or conflict) and the
     * mail run after the answer.
     */
    async register(scope: AuthScope, input: unknown): Promise<boolean> {
      const data = parseInput(registerInput, input, 'input');
      if (isCommonPassword(data.password)) {
        throw badUserInput({ 'input.password': 'This password is too common; choose another.' });
      }
      const passwordHash = await passwords.hash(data.password);
      later(scope, 'registration', null, async () => {
        // Past the address's mail quota nothing happens at all: no account, no mail.
        if (!(await mayMail(scope, 'register', data.email))) return;
        const token = newOpaqueToken();
        const expiresAt = new Date(Date.now() + EMAIL_VERIFICATION_TTL_SECONDS * 1000);
        const { created, userId } = await credentials.registerUnverified({
          email: data.email,
          name: data.name,
          passwordHash,
          verificationTokenHash: sha256(token),
          expiresAt,
        });
        const mail =
          created && userId
            ? {
                what: 'verification mail',
                // In the fragment, not the query: fragments are not sent to servers or in Referer headers.
                send: () =>
                  mailer.sendVerification({
                    to: data.email,
                    userId,
                    token,
                    link: `${verifyUrl}#token=${token}`,
                    expiresAt,
                  }),
              }
            : {
                what: 'already-registered mail',
                send: () => mailer.sendAlreadyRegistered({ to: data.email, userId, resetPage: resetUrl }),
              };
        await mail.send().catch((error: unknown) => logFailure(scope, mail.what, userId, error));
      });
      return true;
    },

    /**
     * Consumes a verification token once, marks the address verified and signs in exactly as
     * login does (an access token, a new session family in the refresh cookie). An unknown, used
     * or expired token gets resetPassword's answer to a bad token.
     */
    async verifyEmail(scope: AuthScope, args: { token: string }): Promise<AuthPayloadModel> {
      const { token } = parseInput(verifyEmailInput, args);
      const user = await credentials.consumeVerificationToken(sha256(token));
      if (!user) throw badUserInput({ token: 'Invalid or expired token.' });
      await startSession(scope, user.id);
      return issue(user, user.tokenVersion);
    },

    async login(scope: AuthScope, input: unknown): Promise<AuthPayloadModel> {
      const data = parseInput(loginInput, input, 'input');
      const email = data.email.trim().toLowerCase();
      let attempt: LoginAttempt;
      try {
        // Before any password work: a delayed pair, network or account answers RATE_LIMITED even
        // to the right password (auth/login-throttle.ts).
        attempt = await throttle.begin(email, scope.network);
      } catch (error) {
        if (!(error instanceof LoginLockedError)) throw error;
        event(scope, 'lockout', {
          protection: 'loginThrottle',
          action: 'refused',
          lock: error.scope,
          retryAfter: error.retryAfterSeconds,
        });
        // One decision, one event: the lockout line above is it (the audit plugin skips this error).
        throw attributeTo(
          rateLimited(error.retryAfterSeconds, 'Too many failed logins; try again later.'),
          'loginThrottle',
          { logged: true },
        );
      }
      const user = await credentials.findCredentialsByEmail(email);
      // Same work and the same answer whether the account is missing, has no password (external
      // identity), is not verified yet, or the password is wrong: one verification, against the
      // dummy hash unless the account may sign in with a password at all.
      const ok = await passwords.verify(user?.emailVerified ? user.passwordHash : null, data.password);
      if (!user || !ok) {
        const locks = await attempt.failed();
        for (const lock of locks)
          event(scope, 'lockout', { protection: 'loginThrottle', action: 'locked', lock });
        throw attributeTo(
          new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid email or password.'),
          'authentication',
        );
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
        event(scope, 'token_reuse', {
          protection: 'refreshSessions',
          userId: result.userId,
          familyId: result.familyId,
        });
        throw refuseRefresh(scope, true);
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
     * Always true, answered before anything depends on the account: the lookup, the token (hashed,
     * 30 minutes) and the mail all run after the answer is sent, so neither the answer nor its
     * time tells whether the account exists. Earlier links stay valid (at most three), and the mail
     * quota per address (three per 30 minutes) keeps any request from pushing a live one out.
     */
    async requestPasswordReset(scope: AuthScope, args: { email: string }): Promise<boolean> {
      const { email } = parseInput(requestPasswordResetInput, args);
      later(scope, 'password reset request', null, async () => {
        const user = await credentials.findCredentialsByEmail(email.trim());
        if (!user) return;
        // Before the token: a request past the quota neither mails nor pushes out a live link.
        if (!(await mayMail(scope, 'requestPasswordReset', user.email))) return;
        const token = newOpaqueToken();
        const expiresAt = new Date(Date.now() + PASSWORD_RESET_TTL_SECONDS * 1000);
        await credentials.createPasswordResetToken(user.id, sha256(token), expiresAt);
        event(scope, 'password_reset', { protection: 'passwordReset', action: 'requested', userId: user.id });
        // In the fragment, not the query: fragments are not sent to servers or in Referer headers.
        const link = `${resetUrl}#token=${token}`;
        await mailer.sendPasswordReset({ to: user.email, userId: user.id, token, link, expiresAt });
      });
      return true;
    },

    /**
     * Consumes a reset token once, sets the new password, and ends everything the old password
     * opened: every refresh family, every outstanding access token (token version), every API key,
     * and every other outstanding reset link. The address counts as verified from then on.
     */
    async resetPassword(scope: AuthScope, args: { token: string; newPassword: string }): Promise<boolean> {
      const data = parseInput(resetPasswordInput, args);
      // Checked before the token is consumed, so a rejected password does not burn the link.
      if (isCommonPassword(data.newPassword)) {
        throw badUserInput({ newPassword: 'This password is too common; choose another.' });
      }
      const userId = await credentials.consumePasswordResetToken(sha256(data.token));
      if (!userId) throw badUserInput({ token: 'Invalid or expired token.' });
      const account = await credentials.completePasswordReset(userId, await passwords.hash(data.newPassword));
      await sessions.revokeUser(userId);
      // The owner proved control of the mailbox: a lock set by someone guessing is lifted.
      if (account) await throttle.clearAccount(account.email);
      clearRefreshCookie(scope.res);
      event(scope, 'password_reset', { protection: 'passwordReset', action: 'completed', userId });
      return true;
    },
  };
}
export type IdentityService = ReturnType<typeof createIdentityService>;

import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApiKeyUsageBuffer } from '../../src/auth/api-key-usage.js';
import { createAuthenticator, type ExternalVerifier } from '../../src/auth/authenticate.js';
import { createTokenService } from '../../src/auth/tokens.js';
import type { Viewer } from '../../src/auth/viewer.js';
import { createApiKeysRepository } from '../../src/modules/identity/api-keys.repository.js';
import { createCredentialsRepository } from '../../src/modules/identity/credentials.repository.js';
import type { TestApp } from './app.js';

/**
 * The Viewer a request's credentials make, which the API never shows whole (fields read from it,
 * such as a key's tier or a token's client, are for other parts of the server). The app's own
 * authenticator, built from its parts over `t`'s database and configuration, behind a loopback
 * Express server: real requests, real headers, nothing stubbed.
 */
export async function startViewerProbe(t: TestApp, external?: ExternalVerifier) {
  const apiKeys = createApiKeysRepository(t.app.db);
  const apiKeyUsage = createApiKeyUsageBuffer(apiKeys, 60_000);
  const authenticator = createAuthenticator({
    users: createCredentialsRepository(t.app.db),
    apiKeys,
    tokens: await createTokenService(t.app.config),
    apiKeyUsage,
    external,
  });
  const app = express();
  app.get('/viewer', (req, res) => {
    authenticator.authenticate(req).then(
      (viewer) => res.json(viewer),
      (error: unknown) => res.status(401).json({ error: String(error) }),
    );
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/viewer`;
  return {
    /** The viewer of a request with these headers; throws on a refusal (401). */
    async viewerOf(headers: Record<string, string>): Promise<Viewer> {
      const res = await fetch(url, { headers });
      const body = (await res.json()) as unknown;
      if (res.status !== 200) throw new Error(`refused: ${JSON.stringify(body)}`);
      return body as Viewer;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apiKeyUsage.stop();
    },
  };
}

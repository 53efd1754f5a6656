import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express from 'express';
import { createApiKeyUsageBuffer } from '../../src/auth/api-key-usage.js';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { parseConfig } from '../../src/config.js';
import type { GraphQLContext } from '../../src/context.js';
import { createDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createLoaders, createRepositories, createServices, resolvers } from '../../src/modules/index.js';
import { loadTypeDefs } from '../../src/schema.js';
import { portFromEnv, type Started } from './serve.js';

/** What a peer protection layer (graphql-armor's protect()) spreads into the Apollo config. */
export interface ApolloExtras {
  /**
   * Typed loosely on purpose: graphql-armor's declarations import Apollo's CommonJS types while
   * this project resolves the ESM ones, so TypeScript sees two unrelated (identical) types.
   */
  plugins?: readonly unknown[];
  validationRules?: ValidationRule[];
  allowBatchedHttpRequests?: boolean;
  includeStacktraceInErrorResponses?: boolean;
}

/**
 * The baseline: the project's SDL, resolvers, loaders, services and database behind a bare
 * Apollo Server 5 + Express 5, with no protection at all (no directive wrappers, no limits, no
 * helmet/CORS/rate limits, no error masking). The viewer comes from the project's own
 * authenticator (the same JWT verification and user lookup), so the comparison with the project
 * isolates the protections, not identity, which any real server must establish.
 */
export async function startBareApollo(extras: ApolloExtras = {}): Promise<Started> {
  const config = parseConfig(process.env);
  const log = createLogger(config.logLevel);
  // One profile for everyone: nothing here reads it (the peers have no profiles).
  const defaultProfile = config.profiles.set.select({ kind: 'anonymous' });
  const db = await createDb({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: config.dataDir,
  });
  const repos = createRepositories(db);
  const tokens = await createTokenService(config);
  const { credentials: users, apiKeys } = repos.identity;
  const apiKeyUsage = createApiKeyUsageBuffer(apiKeys, 10_000, () => undefined);
  const authenticator = createAuthenticator({ users, apiKeys, tokens, apiKeyUsage });
  const services = createServices(repos, { tokens });

  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  // A plugin written for any context (BaseContext) works for ours: GraphQLContext extends it.
  const plugins = [...(extras.plugins ?? [])] as ApolloServerPlugin<GraphQLContext>[];
  const apollo = new ApolloServer<GraphQLContext>({ schema, ...extras, plugins });
  await apollo.start();

  const app = express();
  const server = http.createServer(app);
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const requestId = randomUUID();
        return {
          requestId,
          ip: req.ip ?? 'unknown',
          network: req.ip ?? 'unknown', // no limits here: nothing keys on it
          viewer: await authenticator.authenticate(req),
          profile: defaultProfile,
          loaders: createLoaders(repos),
          services,
          log,
          req,
          res,
        };
      },
    }),
  );
  await new Promise<void>((resolve) => server.listen(portFromEnv(), '127.0.0.1', resolve));
  return {
    server,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      await apiKeyUsage.stop();
      await db.close();
    },
  };
}

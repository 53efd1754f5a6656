import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const app = await createApp({ config, log });
  // Native TLS (node:https) when TLS_CERT/TLS_KEY are set: createApp builds the server from them.
  const url = await app.listen();
  log.info(
    {
      url: `${url}/graphql`,
      mode: config.nodeEnv,
      tls: Boolean(config.tls),
      database: app.db.driver,
      redis: Boolean(app.redis),
      metrics: app.metricsUrl() ? `${app.metricsUrl()}/metrics` : 'off',
    },
    'listening',
  );
  if (config.isProduction && !config.tls && config.trustProxy === false) {
    // The HTTPS guard refuses plain HTTP in production: without native TLS or a trusted proxy that
    // reports https, every request but /healthz and /readyz will be answered 426/308.
    log.warn('production without TLS_CERT/TLS_KEY or TRUST_PROXY: plain-HTTP requests will be refused');
  }

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    app
      .stop()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Operators change PROFILES_FILE and send SIGHUP: no request is dropped (app.reloadProfiles).
  process.on('SIGHUP', () => app.reloadProfiles());
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import type { Server } from 'node:http';
import { findSourceMap, type SourceMapPayload } from 'node:module';
import type { AddressInfo } from 'node:net';

/** What a target process tells its parent over the IPC channel. */
export type TargetMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; gcForced: boolean }
  | { type: 'sourceMaps'; maps: Record<string, SourceMapPayload> }
  | { type: 'failed'; error: string };

/** What the parent may ask. */
export type ParentMessage = { type: 'memory' } | { type: 'sourceMaps'; urls: string[] } | { type: 'stop' };

export interface Started {
  server: Server;
  stop(): Promise<void>;
}

function send(message: TargetMessage): void {
  process.send?.(message);
}

/**
 * Runs one benchmark target in this process: starts it, reports its port, answers memory
 * queries (after a full GC when --expose-gc is on, so RSS is not just uncollected garbage) and
 * stops cleanly on request or SIGTERM.
 */
export function serveTarget(start: () => Promise<Started>): void {
  // Targets run from source through tsx, which turns source maps on: every Error's stack is then
  // mapped back to TypeScript, which makes each error (a refused document builds several) cost
  // milliseconds. Production runs the compiled JS without source maps (`npm start`), and so
  // does every target here.
  process.setSourceMapsEnabled(false);
  start()
    .then((started) => {
      const { port } = started.server.address() as AddressInfo;
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        started.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('message', (m: ParentMessage) => {
        if (m.type === 'stop') stop();
        if (m.type === 'memory') {
          const gc = (globalThis as { gc?: () => void }).gc;
          gc?.();
          const mem = process.memoryUsage();
          send({ type: 'memory', rss: mem.rss, heapUsed: mem.heapUsed, gcForced: Boolean(gc) });
        }
        if (m.type === 'sourceMaps') {
          // The source maps tsx made when it compiled these files (kept by Node even though they
          // are off now): a CPU profile's positions are in the compiled code, one long line per
          // file, and these map them back to TypeScript lines. Files never loaded have none.
          const maps: Record<string, SourceMapPayload> = {};
          for (const url of m.urls) {
            const map = findSourceMap(url);
            if (map) maps[url] = map.payload;
          }
          send({ type: 'sourceMaps', maps });
        }
      });
      process.on('disconnect', stop);
      process.on('SIGTERM', stop);
      send({ type: 'ready', port });
    })
    .catch((error: unknown) => {
      send({
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 100);
    });
}

/** PORT from the environment (0 = any free port). */
export function portFromEnv(): number {
  const port = Number(process.env.PORT ?? '0');
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : 0;
}

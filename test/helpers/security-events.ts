import type { TestApp } from './app.js';

/** The security audit log lines (`security: true`) the app wrote for `event`, in order. */
export const securityEvents = (t: TestApp, event: string) =>
  t.logs.filter((l) => l.security === true && l.event === event);

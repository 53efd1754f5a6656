// Test-side access to the services the suite may use. The app itself only reads its Config;
// tests read these two variables to decide which real services to start the app on.
export const TEST_DATABASE_URL = process.env.DATABASE_URL;
export const TEST_REDIS_URL = process.env.REDIS_URL;
export const IN_CI = process.env.CI === 'true';

/**
 * For suites that need a real service: returns a skip reason when it is not configured, or
 * throws in CI, where a missing service is a failure and never a silent skip.
 */
export function requireService(name: 'DATABASE_URL' | 'REDIS_URL'): string | false {
  const value = name === 'DATABASE_URL' ? TEST_DATABASE_URL : TEST_REDIS_URL;
  if (value) return false;
  if (IN_CI) throw new Error(`${name} must be set in CI: this suite needs the real service`);
  return `${name} not set`;
}

// Minimal types for the parts of autocannon's programmatic API the load worker uses
// (autocannon ships no declarations and @types/autocannon is not installed).
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers?: Record<string, string>,
      ) => void;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      timeout?: number;
      requests?: Request[];
      verifyBody?: (body: string) => boolean;
    }
    interface Histogram {
      average: number;
      mean: number;
      total: number;
      p50: number;
      p99: number;
    }
    interface Result {
      requests: Histogram;
      latency: Histogram;
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      mismatches?: number;
      statusCodeStats?: Record<string, { count: number }>;
    }
  }
  function autocannon(
    opts: autocannon.Options,
    cb: (error: Error | null, result: autocannon.Result) => void,
  ): { on(event: 'reqError', listener: (error: Error) => void): void };
  export default autocannon;
}

export interface Log {
  /** Only in debug mode. */
  debug(...details: unknown[]): void;
  warn(...details: unknown[]): void;
  error(...details: unknown[]): void;
}

/** Writes to the console method named, every message prefixed so that a page's console tells whose it is. */
const consoleWith =
  (method: 'log' | 'warn' | 'error') =>
  (...details: unknown[]) =>
    console[method]('QueryTrail:', ...details);

export function createLog(debug: boolean): Log {
  return {
    debug: debug ? consoleWith('log') : () => {},
    warn: consoleWith('warn'),
    error: consoleWith('error'),
  };
}

/** Runs host-page callbacks so that nothing of QueryTrail's ever throws into the page. */
export function withoutThrowing<A extends unknown[]>(log: Log, work: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      work(...args);
    } catch (error) {
      log.warn('internal error, event skipped:', error);
    }
  };
}

const PREFIX = 'QueryTrail:';

export interface Log {
  /** Only in debug mode. */
  debug(...details: unknown[]): void;
  warn(...details: unknown[]): void;
  error(...details: unknown[]): void;
}

export function createLog(debug: boolean): Log {
  return {
    debug: (...details) => {
      if (debug) console.log(PREFIX, ...details);
    },
    warn: (...details) => console.warn(PREFIX, ...details),
    error: (...details) => console.error(PREFIX, ...details),
  };
}

/** Runs host-page callbacks so that nothing of QueryTrail's ever throws into the page. */
export function guard<A extends unknown[]>(log: Log, work: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      work(...args);
    } catch (error) {
      log.warn('internal error, event skipped:', error);
    }
  };
}

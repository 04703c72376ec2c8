// Types for the TypeScript tests that start the demo in-process.
import type { ReceivedEvent } from '../tools/collector.mjs';

export interface RunningDemo {
  /** `http://127.0.0.1:<port>`, without a trailing slash */
  url: string;
  validatorName: string;
  collector: {
    received: ReceivedEvent[];
    reset(): void;
  };
  close(): Promise<void>;
}

export function startDemo(options?: { port?: number; host?: string }): Promise<RunningDemo>;

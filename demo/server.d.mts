// Types for the TypeScript tests that start the demo in-process.

export interface ReceivedEvent {
  event: Record<string, unknown>;
  valid: boolean;
  errors: string[];
  at: number;
  /** the status the collector answered the event's request with */
  status: number;
}

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

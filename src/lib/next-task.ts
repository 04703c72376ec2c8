/**
 * Resolves in a task of its own, soon: a message to itself, which browsers do not throttle in a
 * hidden tab as they throttle timers (a timer may wait a second there, or a minute).
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

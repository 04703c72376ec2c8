/**
 * Runs `task` one run at a time. A call while it runs asks for one more run once it ends (unless
 * `mayRunAgain` says no), and resolves with the run under way.
 */
export function oneAtATime(task: () => Promise<void>, mayRunAgain: () => boolean): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const runUntilDone = async () => {
    do {
      again = false;
      await task();
    } while (again && mayRunAgain());
  };
  return () => {
    if (running) again = true;
    else
      running = runUntilDone().finally(() => {
        running = undefined;
      });
    return running;
  };
}

// Reads a Chromium trace (timeline categories) down to what the benchmark needs: the page's
// renderer main thread, its top-level tasks, and which of them ran a given script.

export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'];

/** The complete events of the main thread of the renderer that shows `origin`, in time order. */
export function mainThreadEvents(buffer, origin) {
  const { traceEvents } = JSON.parse(buffer.toString('utf8'));
  // The browser's own UI pages have renderers too: the page's is the one that holds or commits its frame.
  const pagePids = new Set(
    traceEvents
      .flatMap((e) =>
        e.name === 'TracingStartedInBrowser' ? (e.args?.data?.frames ?? []) : e.name === 'FrameCommittedInBrowser' ? [e.args?.data] : [],
      )
      .filter((frame) => frame?.url?.startsWith(origin))
      .map((frame) => frame.processId),
  );
  const thread = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && pagePids.has(e.pid));
  if (!thread) throw new Error(`no renderer main thread for ${origin} in the trace`);
  return traceEvents.filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X').sort((a, b) => a.ts - b.ts);
}

/** Events not nested in an earlier one of the list (the list in time order). */
export function outermost(events) {
  const kept = [];
  for (const event of events) {
    const last = kept.at(-1);
    if (!last || event.ts >= last.ts + last.dur) kept.push(event);
  }
  return kept;
}

/** The top-level tasks of the thread: everything the main thread did, once each. */
export const topLevelTasks = (events) => outermost(events.filter((e) => e.name === 'RunTask'));

/** The task that was running at `ts`, by binary search over tasks in time order. */
export function taskAt(tasks, ts) {
  let low = 0;
  let high = tasks.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const task = tasks[middle];
    if (ts < task.ts) high = middle - 1;
    else if (ts >= task.ts + task.dur) low = middle + 1;
    else return task;
  }
  return undefined;
}

/** The outermost script runs (compile and evaluation, or a call into it) of the scripts at `urls`. */
export function scriptRuns(events, urls) {
  const isTheirs = (e) => (e.name === 'FunctionCall' || e.name === 'EvaluateScript') && urls.includes(e.args?.data?.url);
  return outermost(events.filter(isTheirs));
}

/**
 * The main thread's own (CPU) time of an event, in µs, where the trace has it: on a machine other
 * work also runs on, the wall-clock duration counts the time the thread waited for a core too.
 */
export const threadTime = (e) => e.tdur ?? e.dur;

/** Thread times in µs of the tasks in which `click` events were dispatched, in order. */
export function clickTasks(events, tasks) {
  return events.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'click').map((e) => threadTime(taskAt(tasks, e.ts) ?? e));
}

/** The summed thread time of `events`, in µs. */
export const sumDurations = (events) => events.reduce((sum, e) => sum + threadTime(e), 0);

/**
 * Traces the page's renderer while `during` runs.
 * @returns {Promise<{ events: object[], tasks: object[] }>} the main thread's events and its top-level tasks
 */
export async function traced(browser, page, origin, during) {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await during();
  const events = mainThreadEvents(await browser.stopTracing(), origin);
  return { events, tasks: topLevelTasks(events) };
}

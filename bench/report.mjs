// Turns every run's figures into medians with their spread, beyond the floor where that is the
// point, with ratios against contender (b), and prints them as markdown.

const FLOOR = 'floor';
const BASELINE = 'searchInsights';
const CANDIDATE = 'queryTrail';
const CANDIDATE_WITH_VIEWS = 'queryTrailViews';
const LONG_TASK_MS = 50;
const CLICK_BUDGET_US = 50;

/** `overFloor`: shown beyond the floor's median for the same page (the floor's own column: as measured). */
const rows = ({ clicks, appended }) => [
  { key: 'gzipBytes', label: 'instrumentation JS, gzipped', unit: 'B' },
  { key: 'startBusy', label: 'start: main-thread time until idle', unit: 'ms', overFloor: true },
  { key: 'startScript', label: 'start: its own script time', unit: 'ms' },
  { key: 'startLongestTask', label: 'start: longest task (the whole page)', unit: 'ms' },
  { key: 'startMostOwnInOneTask', label: 'start: most of its own script in one task', unit: 'ms' },
  { key: 'startLongTasks', label: 'start: long tasks the page observed', unit: '', overFloor: true },
  { key: 'heapKB', label: 'JS heap after start, after GC', unit: 'KB', overFloor: true },
  { key: 'clickMedian', label: 'click: its task, median', unit: 'µs', overFloor: true },
  { key: 'clickP95', label: 'click: its task, p95', unit: 'µs', overFloor: true },
  { key: 'clickAllIn', label: 'click: all main-thread time ÷ clicks', unit: 'µs', overFloor: true },
  { key: 'clickDispatchMedian', label: 'click: its dispatch, timed in the page untraced, median', unit: 'µs', overFloor: true },
  { key: 'clickDispatchP95', label: 'click: its dispatch, timed in the page untraced, p95', unit: 'µs', overFloor: true },
  { key: 'appendBusy', label: `append ${appended.toLocaleString('en-US')} results: main-thread time`, unit: 'ms', overFloor: true },
  { key: 'appendScript', label: 'append: its own script time', unit: 'ms' },
  { key: 'requests', label: `requests for ${clicks} clicks, at the collector`, unit: '' },
  { key: 'preflights', label: '… of which CORS preflights', unit: '' },
  { key: 'requestsUndelivered', label: 'requests the browser refused or failed', unit: '' },
  { key: 'eventsDelivered', label: 'click events delivered to the collector', unit: '' },
  { key: 'eventsInvalid', label: '… invalid per the official schema', unit: '' },
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** summary[results][contender][key] = { median, min, max } (beyond the floor for `overFloor` rows). */
export function summarize({ setup, contenders, runs }) {
  return Object.fromEntries(
    Object.entries(runs).map(([results, byContender]) => {
      const floorMedian = (key) => median(byContender[FLOOR].map((run) => run[key]));
      const figures = Object.fromEntries(
        contenders.map(({ id, gzipBytes }) => {
          const entries = rows(setup).flatMap(({ key, overFloor }) => {
            const values = key === 'gzipBytes' ? [gzipBytes] : byContender[id].map((run) => run[key]).filter((value) => value !== undefined);
            if (!values.length) return [];
            const shift = overFloor && id !== FLOOR ? floorMedian(key) : 0;
            const shifted = values.map((value) => value - shift);
            return [[key, { median: median(shifted), min: Math.min(...shifted), max: Math.max(...shifted) }]];
          });
          return [id, Object.fromEntries(entries)];
        }),
      );
      return [results, figures];
    }),
  );
}

const number = (value, unit) => {
  const digits = unit === 'ms' ? 1 : Number.isInteger(value) || unit !== '' ? 0 : 1;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

function cell(figure, unit, baseline, showRatio) {
  if (!figure) return '—';
  const spread = figure.min === figure.max ? '' : ` [${number(figure.min, unit)}–${number(figure.max, unit)}]`;
  // A ratio of a negative difference (noise around the floor) would mean nothing.
  const ratio = showRatio && baseline?.median > 0 && figure.median > 0 ? ` **×${Number((figure.median / baseline.median).toPrecision(2))}**` : '';
  return `${number(figure.median, unit)}${unit ? ` ${unit}` : ''}${spread}${ratio}`;
}

const RATIO_KEYS = new Set([
  'gzipBytes',
  'startBusy',
  'startScript',
  'heapKB',
  'clickMedian',
  'clickP95',
  'clickAllIn',
  'clickDispatchMedian',
  'clickDispatchP95',
  'appendBusy',
  'appendScript',
  'requests',
]);

function table(setup, contenders, figures) {
  const header = `| figure | ${contenders.map(({ id, label }) => (id === FLOOR ? `${label} (as measured)` : `${label} (beyond the floor where marked +)`)).join(' | ')} |`;
  const lines = [header, `|---|${contenders.map(() => '---').join('|')}|`];
  for (const { key, label, unit, overFloor } of rows(setup)) {
    const cells = contenders.map(({ id }) =>
      cell(figures[id][key], unit, figures[BASELINE][key], id !== FLOOR && id !== BASELINE && RATIO_KEYS.has(key)),
    );
    lines.push(`| ${overFloor ? '+ ' : ''}${label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const verdict = (met) => (met ? 'MET' : 'MISSED');

/**
 * The figures issue 18 names, beyond the floor, with its goals for QueryTrail at the largest page:
 * `goals` are the most allowed with views off, then with views on.
 */
const summaryRows = ({ appended }) => [
  { key: 'startBusy', label: 'start: main-thread time until idle', unit: 'ms', goals: [20, 60] },
  { key: 'heapKB', label: 'JS heap after start', unit: 'KB', goals: [500, 1_500] },
  { key: 'appendBusy', label: `${appended.toLocaleString('en-US')} results appended: main-thread time`, unit: 'ms', goals: [10, 20] },
  { key: 'clickMedian', label: 'click: its own task, median', unit: 'µs', goals: [50, 50] },
  { key: 'clickP95', label: 'click: its own task, p95', unit: 'µs', goals: [150, 150] },
  { key: 'clickDispatchMedian', label: 'click: its dispatch, untraced, median', unit: 'µs', goals: [50, 50] },
  { key: 'clickDispatchP95', label: 'click: its dispatch, untraced, p95', unit: 'µs', goals: [150, 150] },
  { key: 'startLongTasks', label: 'long tasks at start', unit: '', goals: [0, 0] },
];

const signed = (value, unit) => `${value < 0 ? '−' : '+'}${number(Math.abs(value), unit)}${unit ? ` ${unit}` : ''}`;

/** A figure beyond the floor, and its ratio to (b)'s where both are above the floor. */
function summaryCell(figure, baseline) {
  if (!figure) return '—';
  const ratio = baseline && baseline.median > 0 && figure.median > 0 ? ` (×${Number((figure.median / baseline.median).toPrecision(2))})` : '';
  return `${signed(figure.median, figure.unit)}${ratio}`;
}

function summaryTable(setup, figures, withGoals) {
  const ours = [CANDIDATE, CANDIDATE_WITH_VIEWS];
  const lines = [
    `| figure | (b) search-insights + listener | (c) QueryTrail, views off | (c') QueryTrail, views on |${withGoals ? ' goal: views off; views on |' : ''}`,
    `|---|---|---|---|${withGoals ? '---|' : ''}`,
  ];
  for (const { key, label, unit, goals } of summaryRows(setup)) {
    const at = (id) => figures[id][key] && { ...figures[id][key], unit };
    const cells = [summaryCell(at(BASELINE)), ...ours.map((id) => summaryCell(at(id), at(BASELINE)))];
    const goal = ours
      .map((id, n) => `≤ ${signed(goals[n], unit)}: ${figures[id][key] ? verdict(figures[id][key].median <= goals[n]) : '—'}`)
      .join('; ');
    lines.push(`| ${label} | ${cells.join(' | ')} |${withGoals ? ` ${goal} |` : ''}`);
  }
  return lines.join('\n');
}

/**
 * What one more result costs each contender: the growth of a figure from the smallest page to the
 * largest, divided by the results between them; and the append phase's time per appended result.
 */
function perObjectTable(setup, contenders, summary) {
  const sizes = Object.keys(summary).map(Number);
  const [smallest, largest] = [sizes[0], sizes.at(-1)];
  const growth = (id, key) => (summary[largest][id][key].median - summary[smallest][id][key].median) / (largest - smallest);
  const fine = (value, unit) => `${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${unit}`;
  const shown = contenders.filter(({ id }) => id !== FLOOR);
  const rows = [
    ['start: main-thread time', (id) => fine(growth(id, 'startBusy') * 1000, 'µs')],
    ['start: its own script', (id) => fine(growth(id, 'startScript') * 1000, 'µs')],
    ['JS heap after start', (id) => `${number(growth(id, 'heapKB') * 1024, 'B')} B`],
    [
      `append: main-thread time per appended result (${largest.toLocaleString('en-US')} results)`,
      (id) => fine((summary[largest][id].appendBusy.median * 1000) / setup.appended, 'µs'),
    ],
  ];
  const lines = [`| per result | ${shown.map(({ label }) => label).join(' | ')} |`, `|---|${shown.map(() => '---').join('|')}|`];
  for (const [label, value] of rows) lines.push(`| ${label} | ${shown.map(({ id }) => value(id)).join(' | ')} |`);
  return `From ${smallest.toLocaleString('en-US')} to ${largest.toLocaleString('en-US')} results, beyond the floor:\n\n${lines.join('\n')}`;
}

function goals(setup, summary) {
  const sizes = Object.keys(summary);
  const largest = sizes.at(-1);
  const lines = [];
  for (const results of sizes) {
    const ours = summary[results][CANDIDATE];
    const theirs = summary[results][BASELINE];
    const per = `${Number(results).toLocaleString('en-US')} results`;
    lines.push(
      `- ${per}: a click costs QueryTrail no more than (b) at the median: ${verdict(ours.clickMedian.median <= theirs.clickMedian.median)} ` +
        `(${number(ours.clickMedian.median, 'µs')} µs vs ${number(theirs.clickMedian.median, 'µs')} µs; p95 ${number(ours.clickP95.median, 'µs')} vs ${number(theirs.clickP95.median, 'µs')} µs; ` +
        `all-in ${number(ours.clickAllIn.median, 'µs')} vs ${number(theirs.clickAllIn.median, 'µs')} µs)`,
    );
    if (results === largest) {
      lines.push(
        `- ${per}: click median under ${CLICK_BUDGET_US} µs: ${verdict(ours.clickMedian.median < CLICK_BUDGET_US)} (${number(ours.clickMedian.median, 'µs')} µs)`,
        `- ${per}: click dispatch median, untraced, under ${CLICK_BUDGET_US} µs: ${verdict(ours.clickDispatchMedian.median < CLICK_BUDGET_US)} (${number(ours.clickDispatchMedian.median, 'µs')} µs)`,
      );
    }
    for (const id of [CANDIDATE, CANDIDATE_WITH_VIEWS]) {
      const start = summary[results][id];
      const met = start.startMostOwnInOneTask.max <= LONG_TASK_MS && start.startLongTasks.median <= 0;
      lines.push(
        `- ${per}, ${id}: no long task at start (its own script ≤ ${LONG_TASK_MS} ms in any one task in every run, and no more long tasks than the floor): ${verdict(met)} ` +
          `(at most ${number(start.startMostOwnInOneTask.max, 'ms')} ms of its script in one task; long tasks the page observed beyond the floor: ${number(start.startLongTasks.median, '')})`,
      );
    }
    lines.push(
      `- ${per}: fewer requests than (b) for the same ${setup.clicks} clicks: ${verdict(ours.requests.max < theirs.requests.min)} ` +
        `(${number(ours.requests.median, '')} vs ${number(theirs.requests.median, '')})`,
    );
  }
  return lines.join('\n');
}

const NOTES = `Medians over the runs, [min–max] across runs; **×r**: the contender's figure over (b)'s (both beyond the floor).
Rows marked + are beyond the floor: the contender's value in each run minus the floor's median on the same page.
(c) runs with \`data-views="false"\`: view events are work (b) does not do at all. (c') is QueryTrail with its defaults.
- start: the page loads with the contender's async script in <head>; traced from navigation until the settle time after load.
  "main-thread time" sums every top-level task of the page's renderer main thread (also work Blink does on the
  script's behalf); "its own script" sums the runs of the contender's own files (compile, evaluation, calls into them).
  Every time summed or compared is the main thread's own CPU time (the trace's thread duration), not the wall-clock
  time, which on a shared machine also counts the time the thread waited for a core; the longest task and the long
  tasks the page observed are wall-clock time, as the page sees them.
- long task: a task over 50 ms. "most of its own script in one task" is the contender's share of a single task, the figure
  to hold against those 50 ms; "long tasks the page observed" counts a \`longtask\` PerformanceObserver's entries.
- click: a synthetic click on a result's title (results have no href), one per task; "its task" is the thread time of the
  task holding the click dispatch, including the microtasks it queued; "all main-thread time ÷ clicks" divides every task in the click
  phase (the clicks, then QueryTrail's flush() and the settle time) by the number of clicks, so it includes deferred work and sending.
  "its dispatch, timed in the page untraced": the same clicks on a fresh page of the same size, each click's dispatch timed by
  the page around \`click()\` (cross-origin isolated: 5 µs steps); it leaves out microtasks and later tasks the click queued,
  and the tracer's overhead, which makes every call into script several times slower in the traced figures.
- requests: POSTs with the page's user token plus CORS preflights, as the local collector received them; "refused or
  failed": requests the page made (its \`request\` events) that never reached the collector.
- Tracing slows every call into script (several times over for a click's listeners), so the traced times of a script-heavy
  contender are inflated more than the floor's.`;

export function printReport({ setup, contenders, summary }) {
  console.log(`# QueryTrail benchmark\n`);
  console.log(
    `Chromium ${setup.chromium}, Node ${setup.node}, ${setup.cpu}; ${setup.runs} runs, ${setup.clicks} clicks, ${setup.appended} appended results; ${setup.seconds} s.\n`,
  );
  console.log(`## Summary\n\nMedians beyond the floor (the same page without instrumentation); (×r): QueryTrail's over (b)'s.\n`);
  const largest = Object.keys(summary).at(-1);
  for (const [results, figures] of Object.entries(summary)) {
    console.log(`### ${Number(results).toLocaleString('en-US')} results\n\n${summaryTable(setup, figures, results === largest)}\n`);
  }
  console.log(`### Cost per result\n\n${perObjectTable(setup, contenders, summary)}\n`);
  for (const [results, figures] of Object.entries(summary)) {
    console.log(`## ${Number(results).toLocaleString('en-US')} results\n`);
    console.log(`${table(setup, contenders, figures)}\n`);
  }
  console.log(`## Goals\n\n${goals(setup, summary)}\n\n## How to read\n\n${NOTES}`);
}

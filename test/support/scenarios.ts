// Scenarios for the property tests: a page, options, what the API answers, and what the user and
// the page do; `play` runs one on a fresh QueryTrail and reports what came of it.
import fc from 'fast-check';
import { vi } from 'vitest';
import type { TrackedEvent } from '../../src/public-types';
import { init, type QueryTrail } from '../../src/trail';
import {
  anything,
  ATTRIBUTE_NAMES,
  build,
  insightsEvent,
  likely,
  likelyText,
  oddText,
  queryIdText,
  token,
  tree,
  type OptionsCase,
} from './arbitraries';
import { clearCookies } from './cookies';
import { FakeIntersectionObserver, stubIntersectionObserver } from './intersection-observer';
import { apiAcceptsToken } from './official';

const NETWORK_ERROR = 0;
const action = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('click'), target: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('submit'), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove'), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('auxclick'), target: fc.nat(), button: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('scroll'), ratio: fc.constantFrom(0, 0.3, 0.5, 1) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('mutate'), target: fc.nat(), name: fc.constantFrom(...ATTRIBUTE_NAMES), value: fc.option(oddText) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add'), target: fc.nat(), markup: tree }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('track'),
      event: fc.oneof({ weight: 3, arbitrary: insightsEvent }, { weight: 1, arbitrary: anything }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('setUserToken', 'setAuthenticatedUserToken'), token: fc.oneof(token, anything) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('setConsent'), consent: likely(fc.constantFrom('granted', 'pending', 'denied'), anything) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setOptOut'), optOut: likely(fc.constant(false), anything) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('pagehide', 'flush') }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

export const scenario = (options: fc.Arbitrary<OptionsCase>) =>
  fc.record({
    options,
    page: fc.array(tree, { minLength: 1, maxLength: 4 }),
    landingQueryID: fc.option(likelyText(queryIdText), { nil: undefined }),
    answers: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(200) },
        { weight: 1, arbitrary: fc.constantFrom(204, 401, 403, 413, 422, 429, 500, NETWORK_ERROR) },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    beaconAccepted: fc.boolean(),
    actions: fc.array(action, { minLength: 1, maxLength: 20, size: 'medium' }),
  });
export type Scenario = typeof scenario extends (options: never) => fc.Arbitrary<infer S> ? S : never;

export interface Outcome {
  /** An instance started (an inert one has no user token). */
  running: boolean;
  errorsFromInit: number;
  errorsAfterInit: number;
  /** API calls with a value the documented API refuses, each owed one console.error by a running instance. */
  refusedCalls: number;
  /** The API answered 401 or 403, which is owed one console.error. */
  unauthorized: boolean;
  thrown: unknown[];
  pageErrors: unknown[];
  announced: unknown[];
  sent: unknown[];
}

const SETTLE_MS = 0;
const VIEW_MS = 1000;

export async function play({ options, page, landingQueryID, answers, beaconAccepted, actions }: Scenario): Promise<Outcome> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  // happy-dom never reports intersections: the scenario scrolls by reporting them itself.
  stubIntersectionObserver();
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const bodies: string[] = [];
  let answered = 0;
  let unauthorized = false;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, request: RequestInit) => {
      bodies.push(String(request.body));
      const status = answers[answered++ % answers.length] as number;
      if (status === NETWORK_ERROR) throw new TypeError('Failed to fetch');
      unauthorized ||= status === 401 || status === 403;
      return new Response(null, { status });
    }),
  );
  vi.spyOn(navigator, 'sendBeacon').mockImplementation((_url, body) => {
    if (beaconAccepted) bodies.push(String(body));
    return beaconAccepted;
  });
  const outcome: Outcome = {
    running: false,
    errorsFromInit: 0,
    errorsAfterInit: 0,
    refusedCalls: 0,
    unauthorized: false,
    thrown: [],
    pageErrors: [],
    announced: [],
    sent: [],
  };
  const onPageError = (event: Event) => outcome.pageErrors.push((event as ErrorEvent).error ?? event);
  const onEvent = (event: Event) => outcome.announced.push((event as CustomEvent).detail);
  window.addEventListener('error', onPageError);
  document.addEventListener('querytrail:event', onEvent);
  // The page's own handlers: no navigation away from the test page.
  const stay = (event: Event) => event.preventDefault();
  window.addEventListener('click', stay);
  window.addEventListener('submit', stay);
  if (landingQueryID !== undefined) history.replaceState(null, '', `?${new URLSearchParams({ queryID: landingQueryID, qid: landingQueryID })}`);

  const attempt = async (work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      outcome.thrown.push(error);
    }
  };
  const elements: Element[] = [];
  let trail: QueryTrail | undefined;
  try {
    for (const markup of page) build(markup, document.body, elements);
    await attempt(() => (trail = init(options.input)));
    outcome.errorsFromInit = consoleError.mock.calls.length;
    outcome.running = trail?.getUserToken() !== undefined;
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    for (const step of actions) {
      await attempt(() => perform(step, trail as QueryTrail, elements, outcome));
      await vi.advanceTimersByTimeAsync(step.kind === 'scroll' ? VIEW_MS : SETTLE_MS);
    }
    await attempt(() => trail?.flush());
    await attempt(() => trail?.destroy());
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
  } finally {
    outcome.errorsAfterInit = consoleError.mock.calls.length - outcome.errorsFromInit;
    outcome.unauthorized = unauthorized;
    outcome.sent = bodies.flatMap((body) => (JSON.parse(body) as { events: unknown[] }).events);
    window.removeEventListener('error', onPageError);
    document.removeEventListener('querytrail:event', onEvent);
    window.removeEventListener('click', stay);
    window.removeEventListener('submit', stay);
    document.body.innerHTML = '';
    clearCookies();
    history.replaceState(null, '', '/results');
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  }
  return outcome;
}

const CONSENTS: unknown[] = ['granted', 'pending', 'denied'];

function perform(step: Action, trail: QueryTrail, elements: Element[], outcome: Outcome): unknown {
  const refusedWhen = (refused: boolean) => {
    if (refused && outcome.running) outcome.refusedCalls += 1;
  };
  const target = 'target' in step ? elements[step.target % elements.length] : undefined;
  switch (step.kind) {
    case 'click':
      return target?.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, composed: true }));
    case 'auxclick':
      return target?.dispatchEvent(new MouseEvent('auxclick', { bubbles: true, cancelable: true, composed: true, button: step.button }));
    case 'submit':
      return target?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    case 'remove':
      return target?.remove();
    case 'scroll':
      return FakeIntersectionObserver.reportAll(step.ratio);
    case 'mutate':
      return step.value === null ? target?.removeAttribute(step.name) : target?.setAttribute(step.name, step.value);
    case 'add':
      return target && build(step.markup, target, elements);
    case 'track':
      // Any value at all, as a script without types may pass one.
      return trail.track(step.event as TrackedEvent);
    case 'setUserToken':
      refusedWhen(!apiAcceptsToken(step.token));
      return trail.setUserToken(step.token as string);
    case 'setAuthenticatedUserToken':
      refusedWhen(step.token !== undefined && !apiAcceptsToken(step.token));
      return trail.setAuthenticatedUserToken(step.token as string | undefined);
    case 'setConsent':
      refusedWhen(!CONSENTS.includes(step.consent));
      return trail.setConsent(step.consent as 'granted');
    case 'setOptOut':
      return trail.setOptOut(step.optOut as boolean);
    case 'pagehide':
      return window.dispatchEvent(new Event('pagehide'));
    case 'flush':
      return trail.flush();
  }
}

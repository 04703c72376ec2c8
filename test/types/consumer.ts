// A TypeScript user's code against the published types (dist/querytrail.d.ts, reached through
// the package's own name, as an app would): every line compiles, and each `@ts-expect-error`
// marks a mistake the types must refuse. test/unit/published-types.test.ts compiles it after
// the build; it is not part of the main type check, which runs before the build.
import {
  eventSchemas,
  init,
  type InsightsEvent,
  type QueryTrailOptions,
  type QueryTrailStub,
  type Rejection,
  type Variant,
  validateEvent,
} from 'querytrail';

// Options.
const options: QueryTrailOptions = { appId: 'APP', apiKey: 'key', region: 'de', consent: 'pending', flushInterval: 1000 };
// @ts-expect-error: the regions are 'us' and 'de'
init({ appId: 'APP', apiKey: 'key', region: 'eu' });
// @ts-expect-error: consent is 'granted', 'pending' or 'denied'
init({ appId: 'APP', apiKey: 'key', consent: 'yes' });
// @ts-expect-error: apiKey is required
init({ appId: 'APP' });
// @ts-expect-error: views is a boolean
init({ appId: 'APP', apiKey: 'key', views: 'no' });

// The instance.
const trail = init(options);
trail.setConsent('granted');
// @ts-expect-error: not a consent
trail.setConsent('accepted');
trail.setAuthenticatedUserToken(undefined);
const token: string | undefined = trail.getUserToken();
void trail.flush().then(() => trail.destroy());

// track() takes the API's events; the user token and the time are filled in.
trail.track({ eventType: 'click', eventName: 'Hit Clicked', index: 'products', objectIDs: ['sku-1'] });
trail.track({
  eventType: 'conversion',
  eventSubtype: 'purchase',
  eventName: 'Purchased',
  index: 'products',
  objectIDs: ['sku-1'],
  objectData: [{ price: 10, quantity: 1, queryID: '0123456789abcdef0123456789abcdef' }],
  currency: 'EUR',
  userToken: token ?? 'user-1',
});
// @ts-expect-error: no such event type
trail.track({ eventType: 'clicked', eventName: 'Hit Clicked', index: 'products', objectIDs: ['sku-1'] });
// @ts-expect-error: a click needs the objects (or filters) it was on
trail.track({ eventType: 'click', eventName: 'Hit Clicked', index: 'products' });
// @ts-expect-error: no event has a price of its own
trail.track({ eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'], price: 3 });
// @ts-expect-error: not an event at all
trail.track({ productId: 'sku-1' });

// The DOM events.
document.addEventListener('querytrail:event', (e) => {
  const event: InsightsEvent = e.detail;
  const name: string = event.eventName;
  if (event.eventType === 'click' && 'positions' in event) console.log(name, event.queryID, event.positions);
  // @ts-expect-error: only clicks after search have positions
  console.log(e.detail.positions);
});
document.addEventListener('querytrail:reject', (e) => {
  const rejection: Rejection = e.detail;
  const element: Element | undefined = rejection.element;
  console.log(rejection.rule, element, rejection.event);
  // @ts-expect-error: a rejection names its rule, and has no other reason
  console.log(e.detail.reason);
});

// The script-tag build's globals.
window.querytrailConfig = { appId: 'APP', apiKey: 'key' };
window.querytrailConfig = { ...window.querytrailConfig, consent: 'denied' };
// @ts-expect-error: the regions are 'us' and 'de'
window.querytrailConfig = { region: 'eu' };
window.QueryTrail?.instance.setOptOut(true);
const version: string | undefined = window.QueryTrail?.version;
// @ts-expect-error: the instance has no such method
window.QueryTrail?.instance.start();

// The stub that queues calls until the script has loaded.
const stub: QueryTrailStub = function () {
  stub.q = stub.q ?? [];
  // biome-ignore lint/complexity/noArguments: the queue keeps each call's arguments object, as the README's one-liner does
  stub.q.push(arguments);
};
window.querytrail = window.querytrail ?? stub;
window.querytrail('setConsent', 'granted');
window.querytrail('setAuthenticatedUserToken', 'member-7');
// @ts-expect-error: no such method
window.querytrail('setConsents', 'granted');
// @ts-expect-error: setConsent takes a consent
window.querytrail('setConsent', 'yes');

// Validation.
const validation = validateEvent({ eventType: 'view' });
if (validation.ok) {
  const variant: Variant = validation.variant;
  console.log(variant, validation.event.userToken, version);
} else console.log(validation.rule);
// @ts-expect-error: only a refused event has a rule
console.log(validation.rule);
const result = eventSchemas.clickedObjectIDs['~standard'].validate({});
if (!(result instanceof Promise) && !result.issues) {
  const objectIDs: string[] = result.value.objectIDs;
  console.log(objectIDs);
}

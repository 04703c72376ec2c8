/** The two options every instance needs (docs/behaviour.md). */
export const credentials = { appId: 'APP', apiKey: 'key' };

/**
 * What the unit tests start an instance with: the credentials, an endpoint no request really
 * reaches (the tests stub fetch), and a flush interval longer than any test, so that events are
 * sent only when a test calls flush() or the page is left.
 */
export const testOptions = { ...credentials, endpoint: 'http://collector.test', flushInterval: 60_000 };

/**
 * The attribute names of docs/behaviour.md, Markup, shared with Algolia's guide for Google Tag Manager.
 * Imported as a namespace (`import * as ATTR`): the bundler turns `ATTR.objectId` into a
 * plain constant, which the minifier then shortens, where an object's property names would stay.
 */
export const index = 'data-insights-index';
export const queryId = 'data-insights-query-id';
export const page = 'data-insights-page';
export const hitsPerPage = 'data-insights-hits-per-page';
export const objectId = 'data-insights-object-id';
export const position = 'data-insights-position';
export const price = 'data-insights-price';
export const quantity = 'data-insights-quantity';
export const discount = 'data-insights-discount';
export const filter = 'data-insights-filter';
export const conversion = 'data-insights-conversion';
export const items = 'data-insights-items';
export const value = 'data-insights-value';
export const currency = 'data-insights-currency';
export const eventName = 'data-insights-event-name';
export const ignore = 'data-insights-ignore';
export const on = 'data-insights-on';
export const orderId = 'data-insights-order-id';

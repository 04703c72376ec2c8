import { keepEntries, type Entry, type KeptEntries, type KeptEntriesOptions } from './kept-entries';

/**
 * The order IDs whose purchase was sent, with when, so that a reloaded or revisited confirmation
 * page does not send it again (docs/behaviour.md, Conversions). The IDs stay on the device.
 */
export type OrderIdMemory = KeptEntries<Entry>;

export const createOrderIdMemory = (options: KeptEntriesOptions): OrderIdMemory =>
  keepEntries<Entry>('querytrail-order-ids', (entry) => typeof entry?.at === 'number', options);

import { describeElement } from '../markup/ancestry';
import type { Explanation, Outcome } from './explain';
import { describeSource } from './overlay';

const outcomeText = (outcome: Outcome) => (outcome.sent ? `→ ${outcome.variant}` : `✗ refused: ${outcome.rule}`);

/** What an element resolves to, as the panel shows it: one line per fact, the events it makes last. */
export function detailsOf({ element, ignored, object, container, filter, conversion }: Explanation): string {
  const lines = [describeElement(element)];
  if (ignored) lines.push('inside data-insights-ignore: interactions here send nothing');
  if (container) {
    const { index, queryID, page, hitsPerPage } = container;
    lines.push(
      `container: index ${index ?? '(none)'} · queryID ${queryID ?? '(none)'} · page ${page ?? '0'} × ${hitsPerPage ?? '(no hits per page)'}`,
    );
  }
  if (object) {
    const { objectID, index, queryID, position, eventName, click } = object;
    lines.push(`object ${objectID} · index ${index ?? '(none)'} · queryID ${queryID ?? '(none)'} · position ${position} · "${eventName}"`);
    lines.push(`click ${outcomeText(click)}`);
  }
  if (filter)
    lines.push(
      `filters ${filter.filters.join(', ') || '(none)'} · index ${filter.index ?? '(none)'} · "${filter.eventName}"`,
      ...filter.click.map(outcomeText),
    );
  if (conversion) {
    const { kind, onLoad, eventName, items, value, currency, orderId, events, notes } = conversion;
    const revenue = [value === undefined ? '' : `value ${value}`, currency ?? 'no currency', orderId ? `order ${orderId}` : ''].filter(Boolean);
    lines.push(`conversion ${kind ?? '(unknown kind)'}${onLoad ? ' on load' : ''} · "${eventName}" · ${revenue.join(' · ')}`);
    for (const item of items) {
      const queryID = item.queryID.source === 'none' ? '' : `${item.queryID.queryID} `;
      lines.push(`  ${item.objectID} (${item.index ?? 'no index'}): ${queryID}from ${describeSource(item.queryID)}`);
    }
    lines.push(...notes, ...events.map(outcomeText));
  }
  return lines.join('\n');
}

import { describe, expect, it } from 'vitest';
import { eventsUrl } from '../../src/delivery/transport';

const EVENTS_URL = eventsUrl('https://insights.algolia.io', 'LATENCY', 'search-only-key');

describe('eventsUrl', () => {
  it('posts to /1/events with the credentials and an agent naming QueryTrail in the query string', () => {
    const url = new URL(EVENTS_URL);
    expect(url.origin + url.pathname).toBe('https://insights.algolia.io/1/events');
    expect(url.searchParams.get('X-Algolia-Application-Id')).toBe('LATENCY');
    expect(url.searchParams.get('X-Algolia-API-Key')).toBe('search-only-key');
    expect(url.searchParams.get('X-Algolia-Agent')).toContain('QueryTrail');
  });
});

import { pageOptions } from './options';
import { init, type QueryTrail } from './trail';
import { VERSION } from './version';

declare global {
  interface Window {
    QueryTrail?: { init: typeof init; instance: QueryTrail; version: string };
    querytrailConfig?: Record<string, unknown>;
  }
}

// A tag manager may inject the script twice, or after load: the first copy keeps running
// and later ones step aside, so listeners and events are never doubled.
if (!window.QueryTrail) {
  const script = document.currentScript ?? document.querySelector<HTMLScriptElement>('script[src*="querytrail"]');
  const instance = init(pageOptions(script, window.querytrailConfig));
  window.QueryTrail = { init, instance, version: VERSION };
}

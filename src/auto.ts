import { pageOptions } from './options';
import './public-types';
import { init } from './trail';
import { VERSION } from './version';

// A tag manager may inject the script twice, or after load: init() returns the instance already
// running, so listeners and events are never doubled (docs/behaviour.md, One instance per page).
const script = document.currentScript ?? document.querySelector<HTMLScriptElement>('script[src*="querytrail"]');
window.QueryTrail = { init, instance: init(pageOptions(script, window.querytrailConfig)), version: VERSION };

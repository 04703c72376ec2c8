import { pageOptions } from './options';
import './public-types';
import { init } from './trail';
import { VERSION } from './version';

// A tag manager may inject the script twice, or after load: init() returns the instance already
// running, so listeners and events are never doubled (docs/behaviour.md, One instance per page).
// The script's own URL tells the markup audit's loader where `querytrail-audit.js` is.
const script = (document.currentScript ?? document.querySelector('script[src*="querytrail"]')) as HTMLScriptElement | null;
window.QueryTrail = { init, instance: init(pageOptions(script, window.querytrailConfig), script?.src), version: VERSION };

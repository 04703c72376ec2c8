import { pageOptions } from './options';
import './public-types';
import { init } from './trail';
import { VERSION } from './version';
import { callerOf } from './early-calls';

// A tag manager may inject the script twice, or after load: init() returns the instance already
// running, so listeners and events are never doubled (docs/behaviour.md, One instance per page).
// The calls a consent tool or a login queued in the stub's `q` are made first, and later ones go
// straight to the instance (docs/behaviour.md, Early calls). The script's own URL tells the markup
// audit's loader where `querytrail-audit.js` is.
const script = document.currentScript ?? document.querySelector<HTMLScriptElement>('script[src*="querytrail"]');
const instance = init(pageOptions(script, window.querytrailConfig), window.querytrail?.q, (script as HTMLScriptElement | null)?.src);
window.QueryTrail = { init, instance, version: VERSION };
window.querytrail = callerOf(instance);

// @vitest-environment node
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const built = new URL('../../dist/querytrail.mjs', import.meta.url);

/**
 * What a server-side render does with the package: import it and call init(), in a plain Node
 * process with no page. Whatever the console is asked to print is collected instead, and the
 * process must end by itself: a timer or a listener left behind would keep it alive.
 */
const serverRender = `
  const printed = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug']) console[method] = (...args) => printed.push(method + ': ' + args.join(' '));
  const { init } = await import(${JSON.stringify(built.href)});
  const trail = init({ appId: 'APP', apiKey: 'key', debug: true });
  const tracked = trail.track({ eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'] });
  await trail.flush();
  trail.setUserToken('user-1');
  trail.setConsent('granted');
  trail.setOptOut(false);
  const noToken = trail.getUserToken() === undefined;
  trail.destroy();
  const invalid = init({});
  process.stdout.write(JSON.stringify({ printed, tracked, noToken, invalidTracks: invalid.track({}) }));
`;

describe('on a server (server-side rendering)', () => {
  it('imports the ESM build and init()s an inactive instance without a word on the console', async () => {
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', serverRender], { timeout: 10_000 });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({ printed: [], tracked: false, noToken: true, invalidTracks: false });
  });
});

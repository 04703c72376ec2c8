import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDemo, type RunningDemo } from '../../demo/server.mjs';
import { launchChromium } from '../../tools/chromium.mjs';

export interface DemoSetup {
  /** The demo's server: the store, its collector and the inspector. */
  readonly demo: RunningDemo;
  readonly browser: Browser;
}

/**
 * For the e2e files that drive the demo a newcomer runs (`npm start`): starts it on a free port
 * and a Chromium before the tests of the file (or of the describe it is called in), and stops
 * both after them. Their hooks come first, so the caller's own `beforeAll` finds them running.
 */
export function setupDemo(): DemoSetup {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    demo = await startDemo({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error('setupDemo() must run its beforeAll hook first');
    return value;
  };
  return {
    get demo() {
      return started(demo);
    },
    get browser() {
      return started(browser);
    },
  };
}

// One way to start Chromium for the end-to-end tests and the benchmarks, so that all of them
// measure the same browser with the same switches.
import { chromium } from 'playwright-core';

/** Debian's Chromium: playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * `--no-sandbox` lets it run as root in a container, `--disable-gpu` spares it a GPU process the
 * machine lacks, `--disable-quic` keeps every request on the plain HTTP the local servers speak,
 * and the rest keep the browser's own traffic (updates, sync, first-run pages) out of the
 * measurements and away from the collector.
 */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/**
 * Starts Chromium with the switches above, plus any `extra` launch options (their `args` are added
 * to the list, not put in its place).
 * @param {import('playwright-core').LaunchOptions} [extra]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchChromium(extra = {}) {
  return chromium.launch({ ...extra, executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(extra.args ?? [])] });
}

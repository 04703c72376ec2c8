import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/**
 * Refreshes docs/screenshots/<name>.png, the pictures of the README, only when asked with
 * QUERYTRAIL_SCREENSHOTS=1: a plain test run leaves the repository as it found it. The test's
 * assertions run either way.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.QUERYTRAIL_SCREENSHOTS !== '1') return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

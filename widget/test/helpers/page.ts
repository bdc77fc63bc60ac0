/**
 * Browser helpers: a fresh visitor (own context, so own localStorage), CSP-violation and beep
 * recorders installed before any page script runs, and screenshots into test-results/.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

export const RESULTS_DIR = resolve(fileURLToPath(import.meta.url), '../../../test-results');

/** Runs in the page before its scripts: records CSP violations and WebAudio beeps. */
function recorders(): void {
  const w = window as unknown as { __csp: string[]; __beeps: number };
  w.__csp = [];
  w.__beeps = 0;
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
  });
  const original = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    w.__beeps++;
    return original.call(this);
  };
}

export async function newVisitor(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    ...options,
  });
  await context.addInitScript(recorders);
  return context.newPage();
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

export async function beeps(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __beeps: number }).__beeps);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  // Let entry animations finish so the picture shows the settled layout.
  await page.waitForTimeout(350);
  await page.screenshot({ path });
  return path;
}

/** Opens the panel with the launcher, as a visitor would. */
export async function openPanel(page: Page): Promise<void> {
  await page.locator('.cw-launcher').click();
  await page.locator('.cw-panel').waitFor();
}

/**
 * The stage the consult-world console files share (console-consult-outside-group, -offer-preview,
 * -access-changed): this file's own rows (consult-world.ts), a host page for the group's site, one
 * Chromium, X's console online and Y's page — set up in beforeAll, taken down in afterAll.
 * A file registers it once at the top and reads the fields from its tests:
 *
 *   const stage = consultFixture({ offerTimeoutSeconds: 120 });
 *   test('…', async () => { await stage.x.getByRole(…) });
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { openConsole, setStatus } from './agent-console.ts';
import { launchBrowser } from './browser.ts';
import { startWidgetPage } from './chat-server.ts';
import { type Agent, type ConsultWorld, createConsultWorld } from './consult-world.ts';
import { serviceClient } from './supabase.ts';

export interface ConsultStage {
  world: ConsultWorld;
  /** The host page with the widget of group A's site. */
  widgetPageUrl: string;
  browser: Browser;
  /** Every context a test opens goes here, so afterAll closes it. */
  contexts: BrowserContext[];
  /** X's console, online. */
  x: Page;
  /** Y's page: a console unless `openY` says otherwise. */
  y: Page;
}

export interface ConsultFixtureOptions {
  /** Group A's offer timeout (new-chat, transfer and consult offers alike), when a file needs time to read an offer. */
  offerTimeoutSeconds?: number;
  /**
   * Runs on X's console before it is reloaded and put online: listeners, routes and init scripts a
   * file needs from the page's first socket on.
   */
  prepareX?: (page: Page) => Promise<void> | void;
  /** The same for Y's console. */
  prepareY?: (page: Page) => Promise<void> | void;
  /** Opens Y's page another way than as a console (`prepareY` is then not used). */
  openY?: (stage: Omit<ConsultStage, 'y'>) => Promise<Page>;
}

/** Reloads a console so what `prepare` set up sees the page from its start, then waits for the feed. */
async function prepared(page: Page, prepare?: (page: Page) => Promise<void> | void): Promise<Page> {
  if (!prepare) return page;
  await prepare(page);
  await page.reload();
  await page.locator('[data-testid=feed-status][data-status=open]').waitFor();
  return page;
}

/** Registers the file's beforeAll and afterAll; the returned stage is filled in once beforeAll ran. */
export function consultFixture(options: ConsultFixtureOptions = {}): ConsultStage {
  const stage = { contexts: [] as BrowserContext[] } as ConsultStage;
  let stopWidgetPage: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const service = serviceClient();
    stage.world = await createConsultWorld(service);
    if (options.offerTimeoutSeconds !== undefined) {
      const { error } = await service
        .from('groups')
        .update({ offer_timeout_seconds: options.offerTimeoutSeconds })
        .eq('id', stage.world.groupId);
      if (error) throw error;
    }
    const widgetPage = await startWidgetPage(inject('admin').chatServerUrl, stage.world.siteKey);
    stopWidgetPage = () => widgetPage.stop();
    stage.widgetPageUrl = widgetPage.url;
    stage.browser = await launchBrowser();
    stage.x = await prepared(
      await openConsole(stage.browser, stage.contexts, stage.world.x.email),
      options.prepareX,
    );
    await setStatus(stage.x, 'Online');
    stage.y = options.openY
      ? await options.openY(stage)
      : await prepared(
          await openConsole(stage.browser, stage.contexts, stage.world.y.email),
          options.prepareY,
        );
  }, 120_000);

  afterAll(async () => {
    // Offline first, so routing offers X nothing while the rows go; a console a test stopped
    // (X deactivated) has no status to set.
    const xFeed = await stage.x
      ?.getByTestId('feed-status')
      .getAttribute('data-status', { timeout: 1_000 })
      .catch(() => null);
    if (xFeed === 'open') await setStatus(stage.x, 'Offline').catch(() => {});
    for (const context of stage.contexts) await context.close().catch(() => {});
    await stage.browser?.close();
    await stopWidgetPage?.();
    await stage.world?.drop();
  });

  return stage;
}

/** `from` invites `to` from the chat open on its console, through the Consult dialog, with `note`. */
export async function consult(from: Page, to: Agent, note: string): Promise<void> {
  await from.getByRole('button', { name: 'Consult', exact: true }).click();
  const dialog = from.getByRole('dialog', { name: 'Invite a colleague' });
  await dialog.locator('select[name=target]').selectOption(`agent:${to.id}`);
  await dialog.locator('textarea[name=note]').fill(note);
  await dialog.getByRole('button', { name: 'Invite' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

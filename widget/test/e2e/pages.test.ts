/**
 * The widget inside other people's pages: host CSS resets (Tailwind preflight, Bootstrap reboot)
 * do not change it, it does not change the host page, axe-core finds no serious or critical
 * problem, phones get a full-screen panel with 16px inputs, the JS API with its pre-load queue,
 * and German for a German browser.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Agent, connectAgent } from '../helpers/agent.ts';
import { type E2eEnv, startE2eEnv } from '../helpers/env.ts';
import { cspViolations, newVisitor, openPanel, screenshot } from '../helpers/page.ts';
import { alwaysOpen, setPresence } from '../helpers/site.ts';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let env: E2eEnv;
let agent: Agent;

beforeAll(async () => {
  env = await startE2eEnv();
  await alwaysOpen(env.sql);
  agent = await connectAgent(env.chat.url);
  await setPresence(agent, env.chat.url, 'online');
});

afterAll(async () => {
  await agent?.close();
  await env?.close();
});

/** Computed styles that make up the widget's look, from a page with the panel open. */
async function widgetStyles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    const props = [
      'font-family',
      'font-size',
      'font-weight',
      'font-style',
      'line-height',
      'letter-spacing',
      'text-transform',
      'text-align',
      'color',
      'background-color',
      'margin-top',
      'margin-bottom',
      'padding-top',
      'padding-left',
      'border-top-width',
      'border-top-left-radius',
      'box-sizing',
      'display',
      'width',
      'height',
    ];
    const pick = {
      root: '.cw-root',
      launcher: '.cw-launcher',
      panel: '.cw-panel',
      title: '.cw-title',
      status: '.cw-status',
      greeting: '.cw-greeting',
      label: 'label[for="cw-f-name"]',
      optional: '.cw-optional',
      input: '#cw-f-name',
      select: '#cw-f-topic',
      textarea: '#cw-f-message',
      button: '.cw-card .cw-button',
      icon: '.cw-header .cw-icon',
    };
    for (const [name, selector] of Object.entries(pick)) {
      const el = document.querySelector(selector);
      if (!el) throw new Error(`missing ${selector}`);
      const style = getComputedStyle(el);
      for (const p of props) out[`${name} ${p}`] = style.getPropertyValue(p);
    }
    return out;
  });
}

/** Every computed property of the host page's own elements. */
async function hostStyles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const selector of ['html', 'body', 'h1', 'p', 'a', '.host-button', 'input', 'label', '.host-box']) {
      const style = getComputedStyle(document.querySelector(selector)!);
      for (let i = 0; i < style.length; i++) {
        const p = style.item(i);
        out[`${selector} ${p}`] = style.getPropertyValue(p);
      }
    }
    return out;
  });
}

describe('host pages', () => {
  let reference: Record<string, string>;

  test('on a plain page the widget leaves every host style as it was', async () => {
    const without = await newVisitor(env.browser);
    await without.goto(`${env.demo.url}/test/plain-nowidget.html`);
    const before = await hostStyles(without);
    const page = await newVisitor(env.browser);
    await page.goto(`${env.demo.url}/test/plain.html`);
    await openPanel(page);
    await page.locator('#cw-f-name').waitFor();
    expect(await hostStyles(page)).toEqual(before);
    reference = await widgetStyles(page);
    expect(reference['input font-size']).toBe('15px');
    await without.context().close();
    await page.context().close();
  });

  for (const [name, file] of [
    ['Tailwind preflight', 'tailwind.html'],
    ['Bootstrap reboot', 'bootstrap.html'],
  ] as const) {
    test(`a ${name} reset loaded after widget.css does not change the widget`, async () => {
      const page = await newVisitor(env.browser);
      await page.goto(`${env.demo.url}/test/${file}`);
      await openPanel(page);
      await page.locator('#cw-f-name').waitFor();
      expect(await widgetStyles(page)).toEqual(reference);
      await screenshot(page, `reset-${file.replace('.html', '')}`);
      expect(await cspViolations(page)).toEqual([]);
      await page.context().close();
    });
  }
});

describe('accessibility', () => {
  test('axe-core finds no serious or critical violation in any state of the widget', async () => {
    // axe is injected as a script tag, which the demo's CSP would block (as it should).
    const page = await newVisitor(env.browser, { bypassCSP: true });
    await page.goto(`${env.demo.url}/`);
    await page.locator('.cw-launcher').waitFor();
    await page.addScriptTag({ path: AXE_PATH });
    const audit = async (state: string) => {
      // Entry animations fade in; axe would measure contrast mid-fade.
      await page.waitForTimeout(400);
      const result = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                c: unknown,
              ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
            };
          }
        ).axe;
        const r = await axe.run({ include: ['.cw-root'] });
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          targets: v.nodes.map((n) => n.target.join(' ')),
        }));
      });
      const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious, `${state}: ${JSON.stringify(serious)}`).toEqual([]);
    };
    await audit('launcher');
    await openPanel(page);
    await page.locator('#cw-f-name').waitFor();
    await audit('pre-chat form');
    await page.fill('#cw-f-message', 'Do you have family rooms in Rome?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const started = await agent.next('conversation', (f) => f.conversation.status !== 'closed');
    agent.send({
      type: 'message.send',
      conversationId: started.conversation.id,
      clientMsgId: 'axe-1',
      body: 'Yes! See https://acmetravel.test/rome',
    });
    await page.locator('.cw-theirs').waitFor();
    agent.send({ type: 'typing', conversationId: started.conversation.id, on: true });
    await page.locator('.cw-typing').waitFor();
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await audit('conversation');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByRole('button', { name: 'Yes, end chat' }).click();
    await page.getByText('How was your chat?').waitFor();
    await audit('rating');
    await page.context().close();
  });
});

describe('phones', () => {
  test('the panel fills the screen, inputs are 16px, the launcher steps aside', async () => {
    const page = await newVisitor(env.browser, {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(`${env.demo.url}/`);
    await screenshot(page, 'phone-page');
    await page.locator('.cw-launcher').tap();
    await page.locator('#cw-f-name').waitFor();
    const box = await page.locator('.cw-panel').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    for (const id of ['#cw-f-name', '#cw-f-email', '#cw-f-topic', '#cw-f-message']) {
      expect(await page.locator(id).evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
    }
    expect(await page.locator('.cw-launcher').isVisible()).toBe(false);
    await screenshot(page, 'phone-prechat');
    await page.fill('#cw-f-message', 'Hi from my phone');
    await page.getByRole('button', { name: 'Start chat' }).tap();
    const started = await agent.next('conversation', (f) => f.conversation.status !== 'closed');
    agent.send({
      type: 'message.send',
      conversationId: started.conversation.id,
      clientMsgId: 'phone-1',
      body: 'Hello! How can I help with your trip?',
    });
    await page.locator('.cw-theirs').waitFor();
    expect(await page.locator('.cw-composer-input').evaluate((el) => getComputedStyle(el).fontSize)).toBe(
      '16px',
    );
    await screenshot(page, 'phone-conversation');
    await page.getByRole('button', { name: 'Minimize chat' }).tap();
    expect(await page.locator('.cw-launcher').isVisible()).toBe(true);
    await page.context().close();
  });
});

describe('JavaScript API and language', () => {
  test('calls queued before the script loaded run in order; open, close and on work after', async () => {
    const page = await newVisitor(env.browser);
    await page.goto(`${env.demo.url}/test/api.html`);
    await page.locator('#cw-f-name').waitFor();
    expect(await page.locator('#cw-f-name').inputValue()).toBe('Queued Quinn');
    expect(await page.locator('#cw-f-email').inputValue()).toBe('quinn@example.com');
    expect(await page.evaluate(() => document.body.dataset.chatOpened)).toBe('yes');
    type Api = { (...a: unknown[]): unknown; loaded?: boolean };
    expect(await page.evaluate(() => (window as unknown as { Chat: Api }).Chat.loaded)).toBe(true);
    await page.evaluate(() => (window as unknown as { Chat: Api }).Chat('close'));
    await expect.poll(() => page.locator('.cw-panel').count()).toBe(0);
    await page.evaluate(() => {
      const Chat = (window as unknown as { Chat: Api }).Chat;
      Chat('on', 'close', () => {
        document.body.dataset.chatClosed = 'yes';
      });
      Chat('toggle');
    });
    await page.locator('.cw-panel').waitFor();
    await page.evaluate(() => (window as unknown as { Chat: Api }).Chat('close'));
    expect(await page.evaluate(() => document.body.dataset.chatClosed)).toBe('yes');
    await page.context().close();
  });

  test('a German browser gets the German widget', async () => {
    const page = await newVisitor(env.browser, { locale: 'de-DE' });
    await page.goto(`${env.demo.url}/`);
    await openPanel(page);
    await page.getByRole('button', { name: 'Chat starten' }).waitFor();
    await page.getByRole('button', { name: 'Chat minimieren' }).first().waitFor();
    expect(await page.locator('label[for="cw-f-message"]').textContent()).toBe('Nachricht');
    expect(await page.locator('.cw-status').textContent()).toContain('Wir sind online');
    await screenshot(page, 'desktop-german');
    await page.context().close();
  });
});

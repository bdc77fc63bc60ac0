/**
 * "Save a reply as a FAQ" from the console, in Chromium against the real stack: a visitor in the
 * REAL widget asks something no FAQ answers, Aiko (agent2) replies and saves her reply as a FAQ from
 * the FAQ panel. The row is written by the browser under her JWT (RLS faqs_insert: staff of the org,
 * created_by = self), is then suggested for the visitor's question, and a manager finds it in
 * Manage → FAQs. The FAQ is deleted afterwards and Aiko left offline.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeChat, keepAcmeSiteOpen, openConsole, setStatus } from './helpers/agent-console.ts';
import { launchBrowser, newPage, screenshot, signIn } from './helpers/browser.ts';
import { ACME, NORTHWIND, serviceClient, signedInClient } from './helpers/supabase.ts';
import { startWidgetChat, visitorPage } from './helpers/widget-visitor.ts';

const AIKO_ID = '20000000-0000-4000-8000-000000000005';
/** No seeded FAQ mentions surfboards, so nothing is suggested until Aiko saves hers. */
const VISITOR_QUESTION = 'Can I bring my surfboard on the flight to Lisbon?';
const QUESTION = 'Can I bring a surfboard on my flight?';
const REPLY =
  'Yes: surfboards travel as sports luggage. Add it to your booking at least 48 hours before departure.';

let browser: Browser;
const contexts: BrowserContext[] = [];
let aiko: Page;
let faqId = '';
let conversationId = '';

const suggestions = () => aiko.getByTestId('faq-suggestion').filter({ hasText: QUESTION });

beforeAll(async () => {
  await keepAcmeSiteOpen(serviceClient());
  browser = await launchBrowser();
  aiko = await openConsole(browser, contexts, 'agent2@northwind.test');
});

afterAll(async () => {
  if (aiko) {
    // Close the chat through the UI, then leave Aiko offline for the next file.
    aiko.on('dialog', (d) => void d.accept().catch(() => {}));
    if (
      (await aiko
        .getByTestId('ended')
        .count()
        .catch(() => 1)) === 0
    )
      await aiko
        .getByRole('button', { name: 'Close', exact: true })
        .click()
        .catch(() => {});
    await setStatus(aiko, 'Offline').catch(() => {});
  }
  const { error } = await serviceClient().from('faqs').delete().eq('question', QUESTION);
  if (error) throw error;
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe('saving a reply as a FAQ from the console', () => {
  test('Aiko answers a question no FAQ covers', async () => {
    await setStatus(aiko, 'Online');
    const visitor = await visitorPage(browser, contexts);
    await startWidgetChat(visitor, 'Sam Surfer', 'sam@example.com', VISITOR_QUESTION);
    const offer = aiko.getByTestId('offer').filter({ hasText: 'Sam Surfer' });
    await offer.waitFor();
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => aiko.getByTestId('conversation-title').textContent()).toBe('Sam Surfer');
    conversationId =
      (await aiko
        .getByTestId('chat-item')
        .filter({ hasText: 'Sam Surfer' })
        .getAttribute('data-conversation')) ?? '';

    const composer = aiko.locator('[data-composer]');
    await composer.fill(REPLY);
    await composer.press('Enter');
    await expect.poll(() => aiko.getByTestId('message').last().textContent()).toContain(REPLY);
    await expect
      .poll(() => visitor.locator('.cw-message .cw-bubble').allTextContents())
      .toContainEqual(expect.stringContaining(REPLY));
    // The panel has ranked the visitor's question by now: nothing about surfboards yet.
    await expect.poll(() => aiko.getByTestId('faq-suggestions').textContent()).not.toContain('surfboard');
  });

  test('she saves the reply as a FAQ: confirmed, stored under her rights, then suggested', async () => {
    const panel = aiko.getByRole('region', { name: 'FAQ suggestions' });
    await panel.getByRole('button', { name: '+ Save a reply as a FAQ' }).click();
    const form = panel.getByRole('form', { name: 'Save as FAQ' });
    // Prefilled with the visitor's last message and Aiko's last reply.
    expect(await form.getByLabel('Question').inputValue()).toBe(VISITOR_QUESTION);
    expect(await form.getByLabel('Answer').inputValue()).toBe(REPLY);
    // "For" (the only select): the chat's client by default.
    const scope = form.getByRole('combobox');
    expect(await scope.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe(
      'Acme Travel only',
    );
    // She words the question for the next visitor.
    await form.getByLabel('Question').fill(QUESTION);
    await screenshot(aiko, 'console-faq-save-form');
    await form.getByRole('button', { name: 'Save FAQ' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Saved as a FAQ.');
    expect(await form.count()).toBe(0);

    const { data, error } = await serviceClient()
      .from('faqs')
      .select('id, org_id, client_id, question, answer, created_by')
      .eq('question', QUESTION)
      .single();
    expect(error).toBeNull();
    expect(data).toMatchObject({
      org_id: NORTHWIND,
      client_id: ACME,
      question: QUESTION,
      answer: REPLY,
      created_by: AIKO_ID,
    });
    faqId = data?.id ?? '';
    // An agent may add FAQs but not remove them (faqs_delete: managers): under Aiko's own JWT the
    // row is readable and a delete changes nothing.
    const asAiko = await signedInClient('agent2@northwind.test');
    const deleted = await asAiko.from('faqs').delete().eq('id', faqId).select('id');
    expect(deleted.error).toBeNull();
    expect(deleted.data).toEqual([]);
    expect((await asAiko.from('faqs').select('id').eq('id', faqId)).data).toEqual([{ id: faqId }]);

    // The panel re-ranks after saving: the new FAQ is suggested for the visitor's question, and
    // one click puts its answer in the composer.
    await suggestions().waitFor();
    expect(await suggestions().textContent()).toContain('Acme Travel');
    await screenshot(aiko, 'console-faq-saved');
    await suggestions().click();
    await expect.poll(() => aiko.locator('[data-composer]').inputValue()).toBe(REPLY);
    await aiko.locator('[data-composer]').fill('');
  });

  test('a manager finds the new FAQ in Manage → FAQs', async () => {
    const { context, page } = await newPage(browser);
    contexts.push(context);
    await signIn(page, 'manager@northwind.test');
    await page.goto('/manage/faqs');
    await expect.poll(() => page.getByText(QUESTION).count()).toBeGreaterThan(0);
    await screenshot(page, 'console-faq-in-manage');
  });

  test('Aiko closes the chat and goes offline', async () => {
    await closeChat(aiko, conversationId);
    await setStatus(aiko, 'Offline');
    await expect
      .poll(async () => {
        const { data: presence } = await serviceClient()
          .from('agent_status')
          .select('status')
          .eq('org_id', NORTHWIND)
          .eq('user_id', AIKO_ID)
          .maybeSingle();
        return presence?.status;
      })
      .toBe('offline');
  });
});

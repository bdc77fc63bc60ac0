import { describe, expect, it } from 'vitest';
import { faqsFromCsv, faqsToCsv } from '../src/lib/faqs/faq-csv.ts';
import { navFor } from '../src/lib/nav.ts';
import { normalizeDomain } from '../src/lib/sites/domains.ts';
import { installSnippet } from '../src/lib/sites/install-snippet.ts';

describe('installSnippet', () => {
  it('gives the two lines with the base URL and the site key', () => {
    expect(installSnippet('https://chat.example.com/', 'acme_travel_demo')).toBe(
      '<link rel="stylesheet" href="https://chat.example.com/widget.css">\n<script src="https://chat.example.com/widget.js" data-site="acme_travel_demo" defer></script>',
    );
  });
  it('escapes quotes so a strange value cannot break out of the attribute', () => {
    expect(installSnippet('https://x.test', 'a"b')).toContain('data-site="a&quot;b"');
  });
});

describe('normalizeDomain', () => {
  it('keeps hosts and wildcards, lowercased, and strips a pasted URL down to its host', () => {
    expect(normalizeDomain(' Shop.Example.com ')).toEqual({ ok: true, domain: 'shop.example.com' });
    expect(normalizeDomain('*.example.com')).toEqual({ ok: true, domain: '*.example.com' });
    expect(normalizeDomain('https://www.example.com/help?x=1')).toEqual({
      ok: true,
      domain: 'www.example.com',
    });
    expect(normalizeDomain('localhost')).toEqual({ ok: true, domain: 'localhost' });
  });
  it('refuses ports, spaces and empty input with a message', () => {
    expect(normalizeDomain('example.com:8080').ok).toBe(false);
    expect(normalizeDomain('not a domain').ok).toBe(false);
    expect(normalizeDomain('   ').ok).toBe(false);
    expect(normalizeDomain('*.*.example.com').ok).toBe(false);
  });
});

describe('FAQ CSV', () => {
  const clients = [{ id: 'c1', name: 'Acme Travel' }];
  it('round-trips questions, answers, tags and clients, formulas included', () => {
    const faqs = [
      {
        id: '1',
        org_id: 'o',
        client_id: 'c1',
        question: 'Q, with comma',
        answer: 'Line 1\nLine "2"',
        tags: ['a', 'b'],
        use_count: 3,
        updated_at: '',
      },
      {
        id: '2',
        org_id: 'o',
        client_id: null,
        question: '=SUM(A1)',
        answer: '+1 call us',
        tags: [],
        use_count: 0,
        updated_at: '',
      },
    ];
    const back = faqsFromCsv(faqsToCsv(faqs, clients), clients);
    expect(back.errors).toEqual([]);
    expect(back.faqs).toEqual([
      { question: 'Q, with comma', answer: 'Line 1\nLine "2"', tags: ['a', 'b'], client_id: 'c1' },
      { question: '=SUM(A1)', answer: '+1 call us', tags: [], client_id: null },
    ]);
  });
  it('reports missing columns and bad rows by line', () => {
    expect(faqsFromCsv('title,body\nx,y', clients).errors).toContain('The file has no "question" column.');
    const result = faqsFromCsv('Question,Answer,Client\nok,fine,acme travel\n,missing,\nq,a,Nobody', clients);
    expect(result.faqs).toEqual([{ question: 'ok', answer: 'fine', tags: [], client_id: 'c1' }]);
    expect(result.errors).toEqual([
      'Row 3: question and answer are both required.',
      'Row 4: no client named "Nobody".',
    ]);
  });
});

describe('navFor', () => {
  it('offers management to owner, admin and manager only', () => {
    for (const role of ['owner', 'admin', 'manager'] as const)
      expect(navFor(role).map((s) => s.title)).toContain('Manage');
    for (const role of ['agent', 'client_viewer'] as const)
      expect(navFor(role).map((s) => s.title)).not.toContain('Manage');
  });
  it('gives a client_viewer history and analytics only', () => {
    expect(navFor('client_viewer').flatMap((s) => s.items.map((i) => i.href))).toEqual([
      '/history',
      '/analytics',
    ]);
  });
});

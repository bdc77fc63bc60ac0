/**
 * FAQs to and from CSV, for spreadsheets: columns question, answer, tags (separated by "|") and
 * client (the client's name, empty = every client).
 */
import Papa from 'papaparse';
import type { FaqInput } from '../data/faqs.ts';
import type { Client, Faq } from '../data/types.ts';

export const FAQ_CSV_COLUMNS = ['question', 'answer', 'tags', 'client'] as const;

export function faqsToCsv(faqs: Faq[], clients: Pick<Client, 'id' | 'name'>[]): string {
  const clientName = new Map(clients.map((client) => [client.id, client.name]));
  return Papa.unparse(
    {
      fields: [...FAQ_CSV_COLUMNS],
      data: faqs.map((faq) => [
        faq.question,
        faq.answer,
        faq.tags.join('|'),
        faq.client_id ? (clientName.get(faq.client_id) ?? '') : '',
      ]),
    },
    // Leading = + - @ would run as formulas in a spreadsheet: Papa prefixes them with a quote.
    { escapeFormulae: true },
  );
}

export interface FaqImport {
  faqs: FaqInput[];
  /** One message per rejected row, with its line number, so the file can be fixed. */
  errors: string[];
}

export function faqsFromCsv(text: string, clients: Pick<Client, 'id' | 'name'>[]): FaqImport {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (header) => header.trim().toLowerCase(),
  });
  const errors = parsed.errors.map((error) => `Row ${(error.row ?? 0) + 2}: ${error.message}`);
  const fields = parsed.meta.fields ?? [];
  for (const required of ['question', 'answer']) {
    if (!fields.includes(required)) errors.push(`The file has no "${required}" column.`);
  }
  if (errors.length > 0 && !fields.includes('question')) return { faqs: [], errors };

  const clientByName = new Map(clients.map((client) => [client.name.trim().toLowerCase(), client.id]));
  const faqs: FaqInput[] = [];
  parsed.data.forEach((row, index) => {
    const line = index + 2; // the header is line 1
    const question = unformula(row.question ?? '').trim();
    const answer = unformula(row.answer ?? '').trim();
    if (!question || !answer) {
      errors.push(`Row ${line}: question and answer are both required.`);
      return;
    }
    const clientName = (row.client ?? '').trim();
    const clientId = clientName ? clientByName.get(clientName.toLowerCase()) : null;
    if (clientId === undefined) {
      errors.push(`Row ${line}: no client named "${clientName}".`);
      return;
    }
    const tags = (row.tags ?? '')
      .split('|')
      .map((tag) => tag.trim())
      .filter(Boolean);
    faqs.push({ question, answer, tags, client_id: clientId });
  });
  return { faqs, errors };
}

/** Undoes the quote escapeFormulae adds on export, so a round trip keeps the text as it was. */
function unformula(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

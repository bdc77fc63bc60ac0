/** Unit tests for what decides an upload's type and name: sniffing, allowed types, file names. */
import { describe, expect, it } from 'vitest';
import { SNIFFED_TYPES, TEXT_TYPES } from '../src/attachments/allowed-types.ts';
import { cleanFileName, finalFileName } from '../src/attachments/file-name.ts';
import { inspectUpload } from '../src/attachments/inspect-upload.ts';
import { sniffType } from '../src/attachments/sniff.ts';
import { HttpError } from '../src/http/respond.ts';

const CFB = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]);
const PNG_MAGIC = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

describe('sniffType', () => {
  it('goes by the bytes, not by the declared type', async () => {
    const pdf = await sniffType(Buffer.from('%PDF-1.7\n%%EOF\n'), {
      declaredType: 'image/png',
      fileName: 'x.png',
    });
    expect(pdf.contentType).toBe('application/pdf');
  });

  it('accepts a Compound File only as .doc, .xls or .ppt, never as an installer', async () => {
    expect((await sniffType(CFB, { declaredType: '', fileName: 'old.doc' })).contentType).toBe(
      'application/msword',
    );
    expect((await sniffType(CFB, { declaredType: '', fileName: 'sheet.XLS' })).contentType).toBe(
      'application/vnd.ms-excel',
    );
    const msi = await refusal(sniffType(CFB, { declaredType: 'application/msword', fileName: 'setup.msi' }));
    expect(msi.status).toBe(415);
  });

  it('accepts unrecognised bytes only as declared plain text or CSV, and never markup', async () => {
    const csv = await sniffType(Buffer.from('a,b\n1,2\n'), {
      declaredType: 'text/csv; charset=utf-8',
      fileName: 'x',
    });
    expect(csv).toBe(TEXT_TYPES['text/csv']);
    expect(
      (await refusal(sniffType(Buffer.from('a,b'), { declaredType: 'application/json', fileName: 'x' })))
        .status,
    ).toBe(415);
    const svg = await refusal(
      sniffType(Buffer.from('\uFEFF  <svg onload="alert(1)"></svg>'), {
        declaredType: 'text/plain',
        fileName: 'a.txt',
      }),
    );
    expect(svg.message).toMatch(/HTML, SVG and XML/);
  });

  it('refuses zip archives and executables, naming what was found', async () => {
    const zip = Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(100)]);
    expect(
      (await refusal(sniffType(zip, { declaredType: 'application/pdf', fileName: 'a.pdf' }))).status,
    ).toBe(415);
    const exe = await refusal(
      sniffType(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)]), { declaredType: '', fileName: 'a' }),
    );
    expect(exe.message).toMatch(/x-msdownload/);
  });
});

describe('inspectUpload', () => {
  const chunks = (...parts: (string | Buffer)[]) =>
    (async function* () {
      for (const p of parts) yield Buffer.from(p);
    })();
  const drain = async (s: AsyncIterable<Buffer>) => {
    const out: Buffer[] = [];
    for await (const c of s) out.push(c);
    return Buffer.concat(out);
  };

  it('passes the bytes through and reports size and sha256', async () => {
    const inspected = await inspectUpload(chunks('hello ', 'world'), 1024, {
      declaredType: 'text/plain',
      fileName: 'a.txt',
    });
    expect((await drain(inspected.body)).toString()).toBe('hello world');
    expect(inspected.result()).toEqual({
      size: 11,
      sha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    });
  });

  it('fails with 413 once the limit is crossed, also after the sniffed head', async () => {
    const big = Buffer.concat([PNG_MAGIC, Buffer.alloc(70 * 1024)]);
    const early = await refusal(inspectUpload(chunks(big), 2048, { declaredType: '', fileName: 'a.png' }));
    expect(early.status).toBe(413);
    const inspected = await inspectUpload(chunks(big, Buffer.alloc(40 * 1024)), 100 * 1024, {
      declaredType: '',
      fileName: 'a.png',
    });
    expect((await refusal(drain(inspected.body))).status).toBe(413);
  });

  it('refuses text with invalid UTF-8 or NUL bytes, even far into the file', async () => {
    const head = 'x'.repeat(70 * 1024);
    const bad = await inspectUpload(chunks(head, Buffer.from([0xc3, 0x28])), 1 << 20, {
      declaredType: 'text/plain',
      fileName: 'a.txt',
    });
    expect((await refusal(drain(bad.body))).message).toMatch(/not valid UTF-8/);
    const nul = await inspectUpload(chunks(head, 'a\u0000b'), 1 << 20, {
      declaredType: 'text/plain',
      fileName: 'a.txt',
    });
    expect((await refusal(drain(nul.body))).message).toMatch(/NUL/);
    const cut = await inspectUpload(chunks('ok ', Buffer.from([0xe2, 0x82])), 1 << 20, {
      declaredType: 'text/plain',
      fileName: 'a.txt',
    });
    expect((await refusal(drain(cut.body))).status).toBe(415);
  });

  it('refuses an empty file', async () => {
    expect(
      (await refusal(inspectUpload(chunks(), 1024, { declaredType: 'text/plain', fileName: 'a' }))).status,
    ).toBe(400);
  });
});

describe('file names', () => {
  it('strips folders, control and bidi characters and reserved punctuation', () => {
    expect(cleanFileName('C:\\Users\\me\\Desktop\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('a\u0000b\nc<d>.txt')).toBe('abc_d_.txt');
    expect(cleanFileName('  ..hidden.  ')).toBe('hidden');
    expect(cleanFileName(undefined)).toBe('');
  });

  it('limits the length, keeping the extension', () => {
    const long = cleanFileName(`${'ü'.repeat(400)}.docx`);
    expect([...long].length).toBe(150);
    expect(long.endsWith('.docx')).toBe(true);
  });

  it('names pasted screenshots and gives every file an extension that matches its type', () => {
    const now = new Date('2026-11-21T10:30:05.123Z');
    const png = SNIFFED_TYPES.png;
    const pdf = SNIFFED_TYPES.pdf;
    if (!png || !pdf) throw new Error('types missing');
    expect(finalFileName('', png, now)).toBe('screenshot-2026-11-21T10-30-05.png');
    expect(finalFileName('image.png', png, now)).toBe('screenshot-2026-11-21T10-30-05.png');
    expect(finalFileName('blob', png, now)).toBe('screenshot-2026-11-21T10-30-05.png');
    expect(finalFileName('holiday.png', png, now)).toBe('holiday.png');
    expect(finalFileName('statement.exe', pdf, now)).toBe('statement.exe.pdf');
    expect(finalFileName('', pdf, now)).toBe('file-2026-11-21T10-30-05.pdf');
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/server.ts';
import { startChatServer } from './helpers/chat-server.ts';

describe('serving the built widget', () => {
  let dir: string;
  let server: ChatServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'widget-dist-'));
    await writeFile(join(dir, 'widget.js'), 'console.log("widget")');
    await writeFile(join(dir, 'widget.css'), '.cw-root{color:red}');
    await writeFile(join(dir, 'video-abc123.js'), 'export const video = 1;');
    await writeFile(join(dir, 'secret.txt'), 'not for the web');
    server = await startChatServer({ WIDGET_DIST_DIR: dir });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves widget.js and widget.css to any origin, with types, ETag and short caching', async () => {
    const js = await fetch(`${server.url}/widget.js`, { headers: { origin: 'https://client.example' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('access-control-allow-origin')).toBe('*');
    expect(js.headers.get('cache-control')).toMatch(/max-age=300/);
    expect(await js.text()).toBe('console.log("widget")');
    const css = await fetch(`${server.url}/widget.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe('.cw-root{color:red}');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${server.url}/widget.js`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${server.url}/widget.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('serves lazily loaded chunks under /widget/ but nothing else from the folder', async () => {
    const chunk = await fetch(`${server.url}/widget/video-abc123.js`);
    expect(chunk.status).toBe(200);
    expect((await fetch(`${server.url}/widget/secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}/widget/..%2Fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}/secret.txt`)).status).toBe(404);
  });

  it('says how to build the widget when a file is missing', async () => {
    const missing = await fetch(`${server.url}/widget.js.map`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
      /npm run build -w widget/,
    );
  });
});

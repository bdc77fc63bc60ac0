/**
 * Serves the built widget (widget.js, widget.css and any lazily loaded chunk) from the chat
 * server's own host, so a client's install snippet needs one host for everything:
 *   <link rel="stylesheet" href="https://CHAT_HOST/widget.css">
 *   <script src="https://CHAT_HOST/widget.js" data-site="…" defer></script>
 * Files are read once and kept in memory (they are a few KB) with a content hash as ETag.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../context.ts';
import { HttpError } from './respond.ts';
import type { Route } from './router.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
/** The two install files and their source maps, at the root; lazily loaded chunks under /widget/. */
const ROOT_FILES = ['widget.js', 'widget.css', 'widget.js.map', 'widget.css.map'];
/** A chunk name, never a path. */
const CHUNK = /^[A-Za-z0-9_.-]+\.(js|css)(\.map)?$/;

interface Asset {
  body: Buffer;
  etag: string;
  type: string;
}

export function widgetAssetRoutes(app: AppContext): Route[] {
  const cache = new Map<string, Promise<Asset | null>>();
  const load = (name: string) => {
    let asset = cache.get(name);
    if (!asset) {
      asset = readFile(join(app.config.widgetDistDir, name)).then(
        (body) => ({
          body,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          type: TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
        }),
        () => null,
      );
      // A missing file is looked up again next time (the widget may be built after the server starts).
      void asset.then((found) => {
        if (!found) cache.delete(name);
      });
      cache.set(name, asset);
    }
    return asset;
  };

  const serve =
    (relative: string): Route['handler'] =>
    async ({ req, res }) => {
      const asset = await load(relative);
      if (!asset) {
        throw new HttpError(
          404,
          'not_found',
          `${relative} is not built: run \`npm run build -w widget\` (looked in ${app.config.widgetDistDir})`,
        );
      }
      const headers = {
        'content-type': asset.type,
        etag: asset.etag,
        // Short: the install snippet has no version in its URL, so clients pick up releases soon.
        'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
        // Loaded by every client's page: any origin may fetch it, and browsers must not sniff.
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
        'x-content-type-options': 'nosniff',
      };
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': asset.body.length });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    };

  return [
    ...ROOT_FILES.map((name): Route => ({ method: 'GET', path: `/${name}`, handler: serve(name) })),
    {
      method: 'GET',
      path: '/widget/:file',
      handler: (ctx) => {
        const name = ctx.params.file ?? '';
        if (!CHUNK.test(name)) throw new HttpError(404, 'not_found', 'No such file');
        return serve(name)(ctx);
      },
    },
  ];
}

/**
 * The Dockerfile builds the image with `npm run build -w chat-server` and runs `node server.mjs`.
 * docker cannot run here, so this test runs those same steps: bundle, start the bundle against the
 * test database, check health, then SIGTERM and expect a clean exit.
 */
import { execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('production bundle (the Docker image steps)', () => {
  it('builds, serves /healthz and /readyz, and exits 0 on SIGTERM', async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: packageDir });
    const child = spawn(process.execPath, ['--enable-source-maps', 'server.mjs'], {
      cwd: join(packageDir, 'dist'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: inject('supabase').dbUrl,
        SUPABASE_JWT_SECRET: inject('supabase').jwtSecret,
        VISITOR_TOKEN_SECRET: 'a-test-visitor-secret-of-at-least-32-chars',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The server logs one JSON line with its URL once it listens.
      const url = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on('line', (line) => {
          try {
            const entry = JSON.parse(line) as { url?: string };
            if (entry.url) resolve(entry.url);
          } catch {
            // Not a log line; ignore.
          }
        });
        child.stderr.on('data', (chunk: Buffer) => reject(new Error(chunk.toString())));
        void exited.then((code) => reject(new Error(`exited early with ${code}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});

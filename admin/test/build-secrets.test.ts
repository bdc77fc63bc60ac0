import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ADMIN_DIR } from './helpers/admin-process.ts';

/** Every file the browser can download: adapter-node serves build/client. */
async function clientFiles(dir = join(ADMIN_DIR, 'build', 'client')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? clientFiles(join(dir, entry.name)) : [join(dir, entry.name)],
    ),
  );
  return nested.flat().filter((file) => !file.endsWith('.gz') && !file.endsWith('.br'));
}

async function filesContaining(needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await clientFiles()) {
    if ((await readFile(file, 'latin1')).includes(needle)) hits.push(file);
  }
  return hits;
}

describe('the browser bundle', () => {
  it('is searched for real: text every page shows is found', async () => {
    expect((await clientFiles()).length).toBeGreaterThan(10);
    expect(await filesContaining('Forgot your password?')).not.toHaveLength(0);
  });

  it('holds neither the service-role key nor the JWT secret', async () => {
    const { serviceRoleKey, jwtSecret } = inject('admin');
    // The build ran with these values in its environment (global-setup.ts).
    for (const secret of [
      'service-key-must-not-leak',
      'jwt-secret-must-not-leak',
      serviceRoleKey,
      jwtSecret,
    ]) {
      expect(await filesContaining(secret), secret).toEqual([]);
    }
  });

  it('keeps the service key out of the served HTML too', async () => {
    const { url, serviceRoleKey, anonKey } = inject('admin');
    const html = await (await fetch(`${url}/login`)).text();
    expect(html).toContain(anonKey); // public runtime env is served, so the check can see env at all
    expect(html).not.toContain(serviceRoleKey);
  });
});

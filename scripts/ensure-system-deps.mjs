#!/usr/bin/env node
// Makes sure the system programs the tests drive for real are installed: Redis and Chromium.
// On Debian as root they are installed through apt; anywhere else we stop and name the package.
import { execFileSync, spawnSync } from 'node:child_process';

const needs = [
  { command: 'redis-server', apt: 'redis-server' },
  { command: 'chromium', apt: 'chromium' },
];

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = needs.filter((n) => !has(n.command));
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map((m) => m.apt))];
const canApt = process.getuid?.() === 0 && has('apt-get');
if (!canApt) {
  console.error(
    `Missing system packages: ${packages.join(', ')}.\n` +
      `Install them (on Debian: apt-get install -y ${packages.join(' ')}) and run the tests again.`,
  );
  process.exit(1);
}

console.log(`Installing ${packages.join(', ')} with apt-get…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync(
  'apt-get',
  ['install', '-y', '-qq', '--no-install-recommends', ...packages, 'fonts-liberation'],
  {
    stdio: 'inherit',
    env,
  },
);
const still = missing.filter((m) => !has(m.command));
if (still.length > 0) {
  console.error(`apt-get finished but these are still missing: ${still.map((m) => m.command).join(', ')}`);
  process.exit(1);
}

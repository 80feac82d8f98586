// A new user's first command, `npm ci`, on the machine's own (older) Node and npm: quiet, apart from what
// npm must say. Dependencies that declare Node >= 22 once made it print ~20 EBADENGINE warnings for a Node
// that never runs them (ckad-lab runs on the Node it pins). Runs npm's dry run offline from the lockfile, in a
// copy of package.json, the lockfile and .npmrc, so nothing is installed or fetched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = join(import.meta.dirname, '../..');
// The machine's Node older than 22 and its npm, if there are both (the situation the warnings came from).
const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => spawnSync(p, ['-e', 'process.exit(Number(process.versions.node.split(".")[0]) < 22 ? 0 : 1)']).status === 0);
const npmCli = (() => {
  if (!systemNode) return undefined;
  for (const bin of ['/usr/bin/npm', '/usr/local/bin/npm']) {
    if (!existsSync(bin)) continue;
    const cli = join(dirname(realpathSync(bin)), 'npm-cli.js');
    if (existsSync(cli)) return cli;
  }
  return undefined;
})();

const dir = mkdtempSync(join(tmpdir(), 'ckad-lab-first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npmCi(files: Record<string, string>): { status: number | null; stderr: string } {
  const work = mkdtempSync(join(dir, 'copy-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
  // The machine's npm on the machine's Node, with no ckad-lab node_modules/.bin on PATH.
  const run = spawnSync(systemNode as string, [npmCli as string, 'ci', '--dry-run', '--offline', '--no-audit', '--no-fund'], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? dir, npm_config_cache: join(dir, 'npm-cache') },
  });
  return { status: run.status, stderr: run.stderr };
}

const project = () => ({
  'package.json': readFileSync(join(root, 'package.json'), 'utf8'),
  'package-lock.json': readFileSync(join(root, 'package-lock.json'), 'utf8'),
  '.npmrc': readFileSync(join(root, '.npmrc'), 'utf8'),
});

test.skipIf(!npmCli)('npm ci on an old Node prints no EBADENGINE wall', () => {
  const withoutNpmrc = npmCi({ ...project(), '.npmrc': '' });
  // The control: without the project's .npmrc the wall is there (else this test proves nothing).
  expect(withoutNpmrc.stderr).toContain('EBADENGINE');
  const run = npmCi(project());
  expect(run.status).toBe(0);
  expect(run.stderr).not.toContain('EBADENGINE');
  expect(run.stderr.trim()).toBe('');
}, 60_000);

test.skipIf(!npmCli)('errors still show: a dependency npm cannot get', () => {
  const files = project();
  const pkg = JSON.parse(files['package.json']) as { dependencies: Record<string, string> };
  pkg.dependencies['left-pad'] = '^1.3.0';
  const run = npmCi({ ...files, 'package.json': JSON.stringify(pkg) });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/^npm error /m);
}, 60_000);

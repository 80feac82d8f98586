// Headless commands never load Ink or React: without a terminal the dispatcher picks the plain variant before
// anything of the console is imported (cli/commands/interactive.ts). Proven by running each command with a
// module hook that records every module resolved from ink, react or react-reconciler; a control run that loads
// the console shows the hook sees them when they are there.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = join(import.meta.dirname, '../..');
let dir: string;
let hook: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ckad-lab-headless-'));
  hook = join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    if (/\\/node_modules\\/(ink|react|react-reconciler)\\//.test(result.url)) appendFileSync(process.env.LOADED_LOG, result.url + '\\n');
    return result;
  },
});
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The UI modules a run resolved. */
function uiModulesLoadedBy(args: string[]): Promise<string[]> {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const env = { ...process.env, LOADED_LOG: log, CI: '1', CKAD_LAB_STATE_DIR: join(dir, 'state'), CKAD_LAB_CONFIG_DIR: join(dir, 'config'), CKAD_LAB_WORKDIR: join(dir, 'work') };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', pathToFileURL(hook).href, ...args], { env, cwd: root, timeout: 60_000 }, () => resolve(readFileSync(log, 'utf8').split('\n').filter(Boolean)));
  });
}

const launcher = join(root, 'cli/ckad-lab.js');

test('the hook sees Ink and React when the console is loaded (control)', async () => {
  const loaded = await uiModulesLoadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(root, 'cli/ui/index.ts')).href)})`]);
  expect(loaded.some((u) => u.includes('/node_modules/ink/'))).toBe(true);
  expect(loaded.some((u) => u.includes('/node_modules/react/'))).toBe(true);
}, 60_000);

const HEADLESS: string[][] = [
  [],
  ['exam', '--seed', '1'],
  ['exam', '--abandon'],
  ['drill', 'configmap-from-literals'],
  ['resume'],
  ['history'],
  ['history', '--json'],
  ['report'],
  ['tasks', 'list'],
  ['grade', 'configmap-from-literals', '--json'],
];

test.concurrent.each(HEADLESS.map((a) => [a.join(' ') || '(home)', a] as const))('without a terminal, `ckad-lab %s` loads neither Ink nor React', async (_name, args) => {
  expect(await uiModulesLoadedBy([launcher, ...args])).toEqual([]);
}, 60_000);

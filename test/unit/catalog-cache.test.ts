// The compiled catalog: the same tasks as reading the YAML, and never stale after a task file changes.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { catalog } from '../../cli/lab/catalog.ts';
import { catalogDir, loadCatalog } from '../../tasks/load.ts';

let dir: string;
let cache: string;
const saved = process.env.CKAD_LAB_CACHE_DIR;
beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), 'ckad-lab-catalog-'));
  dir = join(root, 'catalog');
  cpSync(catalogDir(), dir, { recursive: true });
  cache = join(root, 'cache');
  process.env.CKAD_LAB_CACHE_DIR = cache;
});
afterEach(() => {
  if (saved === undefined) delete process.env.CKAD_LAB_CACHE_DIR;
  else process.env.CKAD_LAB_CACHE_DIR = saved;
});

const compiled = () => readdirSync(join(cache, 'catalog'));

test('the compiled catalog holds exactly the tasks the YAML gives', async () => {
  const first = await catalog(dir);
  expect(compiled()).toHaveLength(1);
  const again = await catalog(dir);
  expect(again).toEqual(loadCatalog(dir).tasks);
  expect(again).toEqual(first);
  expect(again).not.toBe(first);
});

test('a changed task file is read again, and the old compilation is removed', async () => {
  await catalog(dir);
  const before = compiled();
  const file = join(dir, 'configmap-from-literals.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: A changed title'));
  const tasks = await catalog(dir);
  expect(tasks.find((t) => t.id === 'configmap-from-literals')?.title).toBe('A changed title');
  expect(compiled()).toHaveLength(1);
  expect(compiled()).not.toEqual(before);
});

test('an invalid task file is an error at file:line:col even when a compilation exists', async () => {
  await catalog(dir);
  const file = join(dir, 'configmap-from-literals.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^minutes: .*$/m, 'minutes: soon'));
  await expect(catalog(dir)).rejects.toThrow(/configmap-from-literals\.yaml:\d+:\d+ minutes: /);
});

test('an unreadable compilation is ignored', async () => {
  await catalog(dir);
  const [name] = compiled();
  writeFileSync(join(cache, 'catalog', name!), '{"truncated');
  expect(await catalog(dir)).toEqual(loadCatalog(dir).tasks);
});

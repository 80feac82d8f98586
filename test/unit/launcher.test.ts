// The plain-JavaScript launcher: it must find the same cache directory as the TypeScript code, and it must
// refuse an old Node with a sentence rather than a syntax error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { compileCacheDir } from '../../cli/compile-cache.js';
import { cacheDir } from '../../sandbox/paths.ts';

const launcher = join(import.meta.dirname, '../../cli/ckad-lab.js');

const saved = { ...process.env };
afterEach(() => {
  for (const key of ['CKAD_LAB_CACHE_DIR', 'XDG_CACHE_HOME']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('compile cache directory', () => {
  const cases: Record<string, Record<string, string | undefined>> = {
    'defaults': { CKAD_LAB_CACHE_DIR: undefined, XDG_CACHE_HOME: undefined },
    'XDG_CACHE_HOME': { CKAD_LAB_CACHE_DIR: undefined, XDG_CACHE_HOME: '/tmp/xdg-cache' },
    'a relative XDG_CACHE_HOME is ignored': { CKAD_LAB_CACHE_DIR: undefined, XDG_CACHE_HOME: 'relative/cache' },
    'an empty XDG_CACHE_HOME is ignored': { CKAD_LAB_CACHE_DIR: undefined, XDG_CACHE_HOME: '' },
    'CKAD_LAB_CACHE_DIR wins': { CKAD_LAB_CACHE_DIR: '/tmp/ckad-cache', XDG_CACHE_HOME: '/tmp/xdg-cache' },
  };
  for (const [name, env] of Object.entries(cases)) {
    test(`is compile/ under cacheDir(): ${name}`, () => {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      expect(compileCacheDir()).toBe(join(cacheDir(), 'compile'));
    });
  }
});

test('the launcher turns the compile cache on, for itself and the processes it starts', () => {
  const cache = mkdtempSync(join(tmpdir(), 'ckad-lab-launcher-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CKAD_LAB_CACHE_DIR: cache };
  delete env.NODE_COMPILE_CACHE;
  const run = spawnSync(process.execPath, [launcher, '--version'], { env, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^\d+\.\d+\.\d+/);
  expect(readdirSync(join(cache, 'compile')).length).toBeGreaterThan(0);
  rmSync(cache, { recursive: true, force: true });
});

// Machines here ship an old Node as `node`; npm scripts use the pinned one. Someone running the file directly
// with the old one must be told what to do.
const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => spawnSync(p, ['-e', 'process.exit(Number(process.versions.node.split(".")[0]) < 24 ? 0 : 1)']).status === 0);
test.skipIf(!systemNode)('on a Node older than 24 the launcher says which Node it needs', () => {
  const run = spawnSync(systemNode!, [launcher, '--version'], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^ckad-lab needs Node 24 or newer \(this is v\d+/);
  expect(run.stderr).toContain('npm start');
  expect(run.stderr).not.toMatch(/at .*:\d+:\d+/);
});

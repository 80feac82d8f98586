// The one pid-file lock (sandbox/process.ts tryPidLock): what the console lock and the build/chart locks share.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { poll } from '../../graders/poll.ts';
import { tryPidLock } from '../../sandbox/process.ts';

/** Above the largest pid Linux hands out (pid_max ≤ 2^22): never a running process. */
const DEAD = 2 ** 22 + 12345;

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ckad-lab-pid-lock-'));
  path = join(dir, 'nested', 'x.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tryPidLock', () => {
  test('takes a free lock with its content, and release removes it; no temp file is left behind', () => {
    const held = tryPidLock(path, { content: 'hello 42\n', ownerOf: () => 42 });
    expect(held.ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('hello 42\n');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['x.lock']);
    if (held.ok) held.release();
    expect(existsSync(path)).toBe(false);
  });

  test('a lock whose owner is gone, or that names no pid, is taken over', () => {
    mkdirSync(join(dir, 'nested'));
    for (const stale of [`${DEAD}\n`, '', 'not a pid\n']) {
      writeFileSync(path, stale);
      const held = tryPidLock(path);
      expect(held.ok, JSON.stringify(stale)).toBe(true);
      expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
      if (held.ok) held.release();
    }
  });

  test('a live owner is reported, and its lock is left as it is', () => {
    // process.ppid is alive and is not us.
    mkdirSync(join(dir, 'nested'));
    writeFileSync(path, `${process.ppid}\n`);
    expect(tryPidLock(path)).toEqual({ ok: false, owner: process.ppid });
    expect(readFileSync(path, 'utf8')).toBe(`${process.ppid}\n`);
  });

  test('the owner is read from the caller\'s own record', () => {
    const record = (pid: number) => `${JSON.stringify({ pid, id: 'abc' })}\n`;
    const ownerOf = (text: string) => (JSON.parse(text) as { pid: number }).pid;
    mkdirSync(join(dir, 'nested'));
    writeFileSync(path, record(process.ppid));
    expect(tryPidLock(path, { content: record(process.pid), ownerOf })).toEqual({ ok: false, owner: process.ppid });
    writeFileSync(path, record(DEAD));
    const held = tryPidLock(path, { content: record(process.pid), ownerOf });
    expect(held.ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(record(process.pid));
  });

  test('a lock naming our own pid is held, unless the caller says such a lock is stale', () => {
    const first = tryPidLock(path);
    expect(first.ok).toBe(true);
    expect(tryPidLock(path)).toEqual({ ok: false, owner: process.pid });
    const again = tryPidLock(path, { content: `${process.pid}\nagain\n`, ownerOf: (t) => Number(t.split('\n')[0]), ownPidIsStale: true });
    expect(again.ok).toBe(true);
    // The first holder's release does not remove the lock that replaced it.
    if (first.ok) first.release();
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\nagain\n`);
  });

  test('another process reading the lock never sees it empty or half written', async () => {
    // A reader in its own process reads the lock file as fast as it can while this one takes and releases it.
    const content = `${process.pid}\n${'x'.repeat(4000)}\n`;
    const stop = join(dir, 'stop');
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [path, stop, expected] = process.argv.slice(1);
         let seen = 0, wrong = 0;
         process.stdout.write('ready\\n');
         for (let i = 0; ; i++) {
           if (i % 64 === 0 && fs.existsSync(stop)) break;
           let text;
           try { text = fs.readFileSync(path, 'utf8'); } catch { continue; }
           seen++;
           if (text !== expected) wrong++;
         }
         process.stdout.write(JSON.stringify({ seen, wrong }) + '\\n');`,
        path,
        stop,
        content,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => reader.on('exit', resolve));
    await poll(() => (out.includes('ready') ? true : undefined), { timeoutMs: 10_000, intervalMs: 10 });
    const until = Date.now() + 1000;
    let cycles = 0;
    while (Date.now() < until) {
      const held = tryPidLock(path, { content });
      expect(held.ok).toBe(true);
      if (held.ok) held.release();
      cycles++;
      // Let the event loop breathe now and then.
      if (cycles % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    writeFileSync(stop, '');
    await exited;
    const { seen, wrong } = JSON.parse(out.split('\n')[1] ?? '{}') as { seen: number; wrong: number };
    // Enough sightings that a window where the file exists but is incomplete would have been hit.
    expect(seen).toBeGreaterThan(500);
    expect(wrong).toBe(0);
  }, 20_000);
});

import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { activeFile, ExamStore, lockFile, sessionFile, StoreError, writeFileAtomic, type AtomicIo } from '../../cli/exam/store.ts';
import * as fs from 'node:fs';
import { reduce } from '../../cli/exam/session.ts';
import { historyRecord } from '../../cli/exam/history.ts';
import { fakeCatalog, halfResult, runningSession } from './exam-fakes.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ckad-lab-store-'));
});

const catalog = fakeCatalog(2);
const session = () => runningSession(catalog, ['deployment-1', 'observability-1'], 1_700_000_000_000);

describe('writeFileAtomic', () => {
  it('replaces the file', () => {
    const file = join(dir, 'a.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('a write that dies halfway leaves the old file intact', () => {
    const file = join(dir, 'session.json');
    writeFileAtomic(file, '{"old":true}');
    let written = 0;
    const dying: AtomicIo = {
      openSync: fs.openSync,
      fsyncSync: fs.fsyncSync,
      closeSync: fs.closeSync,
      renameSync: fs.renameSync,
      // Writes a few bytes, then the disk fills up (or the process is killed).
      writeSync: (fd, data, offset) => {
        if (written > 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        written = fs.writeSync(fd, data, offset, 3);
        return written;
      },
    };
    expect(() => writeFileAtomic(file, '{"new":true,"padding":"xxxxxxxxxxxxxxxx"}', dying)).toThrow(/ENOSPC/);
    expect(readFileSync(file, 'utf8')).toBe('{"old":true}');
    expect(readdirSync(dir)).toEqual(['session.json']);
  });

  it('a rename that never happens (killed before it) also leaves the old file', () => {
    const file = join(dir, 'session.json');
    writeFileAtomic(file, 'old');
    const io: AtomicIo = { openSync: fs.openSync, writeSync: (fd, d, o, l) => fs.writeSync(fd, d, o, l), fsyncSync: fs.fsyncSync, closeSync: fs.closeSync, renameSync: () => { throw new Error('killed'); } };
    expect(() => writeFileAtomic(file, 'new', io)).toThrow('killed');
    expect(readFileSync(file, 'utf8')).toBe('old');
  });
});

describe('ExamStore', () => {
  it('saves and loads a session; the active pointer makes one exam at a time', () => {
    const store = new ExamStore(dir);
    const s = session();
    expect(store.claim(s)).toEqual({ ok: true });
    expect(store.active()?.session).toEqual(s);
    const other = { ...s, id: 'zzzzzz9999' };
    expect(store.claim(other)).toEqual({ ok: false, activeId: s.id });
    expect(existsSync(sessionFile(dir, other.id))).toBe(false);
    store.release(s.id);
    expect(store.active()).toBeUndefined();
  });

  it('a corrupt session file is a clear error naming the file, and is never overwritten', () => {
    const store = new ExamStore(dir);
    const s = session();
    store.claim(s);
    writeFileSync(sessionFile(dir, s.id), '{"version":1, "id": tru');
    let error: unknown;
    try {
      store.active();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(sessionFile(dir, s.id));
    expect((error as StoreError).message).toMatch(/not valid JSON.*left as it is.*ckad-lab exam --abandon/s);
    expect(readFileSync(sessionFile(dir, s.id), 'utf8')).toBe('{"version":1, "id": tru');
    // A session of the wrong shape is reported the same way.
    writeFileSync(sessionFile(dir, s.id), JSON.stringify({ ...s, current: 'first' }));
    expect(() => store.active()).toThrow(/does not have the expected shape.*current/s);
  });

  it('--abandon marks a readable session abandoned and moves an unreadable one aside', () => {
    const store = new ExamStore(dir);
    const s = session();
    store.claim(s);
    expect(store.abandon(5)[0]).toMatch(/Abandoned exam/);
    expect(store.loadSession(s.id)?.ended).toEqual({ at: 5, reason: 'abandoned' });
    expect(store.active()).toBeUndefined();
    store.claim({ ...s, id: 'bbbbbb2222' });
    writeFileSync(sessionFile(dir, 'bbbbbb2222'), 'garbage');
    expect(store.abandon(7)[0]).toMatch(/Moved the unreadable .* to .*corrupt-7/);
    expect(readFileSync(`${sessionFile(dir, 'bbbbbb2222')}.corrupt-7`, 'utf8')).toBe('garbage');
    expect(existsSync(activeFile(dir))).toBe(false);
  });

  it('the console lock refuses a live holder and takes over a dead one', () => {
    const store = new ExamStore(dir);
    const first = store.lock('abc', process.pid);
    expect(first.ok).toBe(true);
    // process.ppid is alive and is not us.
    expect(new ExamStore(dir).lock('abc', process.ppid)).toEqual({ ok: false, pid: process.pid });
    if (first.ok) first.release();
    expect(existsSync(lockFile(dir))).toBe(false);
    writeFileSync(lockFile(dir), JSON.stringify({ pid: 2 ** 22 + 12345, id: 'abc', at: 0 }));
    const taken = store.lock('abc');
    expect(taken.ok).toBe(true);
    if (taken.ok) taken.release();
  });

  it('history keeps one record per attempt and skips unreadable files with a message', () => {
    const store = new ExamStore(dir);
    const ended = reduce(reduce(session(), { type: 'END', at: 1_700_000_100_000, reason: 'finished' }), {
      type: 'GRADED',
      report: { score: 4, maxScore: 10, percent: 40, tasks: [halfResult('deployment-1'), halfResult('observability-1')] },
    });
    const record = historyRecord(ended);
    if (!record) throw new Error('not graded');
    store.saveHistory(record);
    store.saveHistory(record);
    writeFileSync(join(dir, 'history', 'broken.json'), '[');
    const { records, problems } = store.history();
    expect(records).toHaveLength(1);
    expect(records[0]?.domains.map((d) => [d.domain, d.percent])).toEqual([
      ['deployment', 40],
      ['observability', 40],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('broken.json');
  });
});

// A session file that cannot be written: nothing may be reported saved that was not, the console keeps
// trying, and leaving says exactly what is lost (issue 12 item 2).
import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../cli/ui/app.ts';
import type { ConsoleEnv, Outcome } from '../../cli/ui/shared.ts';
import { ExamStore, type AtomicIo } from '../../cli/exam/store.ts';
import { EXIT, leaveExam, SAVE_RETRY_MS } from '../../cli/exam/flow.ts';
import { reduce } from '../../cli/exam/session.ts';
import { fakeCatalog, fakeServices, runningSession, waitFor, waitForFrame } from './exam-fakes.ts';

const catalog = fakeCatalog(2);
const ids = ['deployment-1', 'observability-1', 'design-build-1'];

/** Node's fs, except that while `full` is set every write fails like a full disk. */
function switchableIo(): AtomicIo & { full: boolean } {
  const io = {
    full: false,
    openSync: fs.openSync,
    writeSync: (fd: number, data: Buffer, offset: number, length: number) => {
      if (io.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return fs.writeSync(fd, data, offset, length);
    },
    fsyncSync: fs.fsyncSync,
    closeSync: fs.closeSync,
    renameSync: fs.renameSync,
  };
  return io;
}

let dir: string;
let io: ReturnType<typeof switchableIo>;
let store: ExamStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ckad-lab-unsaved-'));
  io = switchableIo();
  store = new ExamStore(dir, io);
});

describe('leaveExam', () => {
  it('says "saved" only when the latest state is on disk', () => {
    const s = runningSession(catalog, ids, Date.now());
    store.claim(s);
    expect(leaveExam(store, s, Date.now())).toMatchObject({ code: EXIT.ok, message: expect.stringMatching(/^Your exam is saved/) });
  });

  it('a failed save is never reported saved: it is tried again, then what is lost is named and the exit code is an error', () => {
    const s = runningSession(catalog, ids, Date.now());
    store.claim(s);
    io.full = true;
    const flagged = reduce(reduce(s, { type: 'NEXT' }), { type: 'TOGGLE_FLAG' });
    expect(() => store.saveSession(flagged)).toThrow(/ENOSPC/);
    const left = leaveExam(store, flagged, Date.now());
    expect(left.code).toBe(EXIT.error);
    expect(left.message).not.toMatch(/Your exam is saved/);
    expect(left.message).toContain('NOT fully saved');
    expect(left.message).toContain('ENOSPC');
    expect(left.message).toContain('task 2 as the current task (saved: task 1)');
    expect(left.message).toContain('the flag on task 2');
    expect(left.message).toContain('ckad-lab resume continues from the last save (task 1)');
    // A signal knows no session: whatever the store could not write is said all the same.
    expect(leaveExam(store, undefined, Date.now()).code).toBe(EXIT.error);
    // Space again: the retry on leaving writes it, and only then is it "saved".
    io.full = false;
    expect(leaveExam(store, flagged, Date.now())).toMatchObject({ code: EXIT.ok, message: expect.stringMatching(/^Your exam is saved/) });
    expect(store.loadSession(s.id)?.tasks[1]?.flagged).toBe(true);
    expect(store.unsaved()).toBeUndefined();
  });
});

describe('exam console with a session file that cannot be written', () => {
  type Instance = ReturnType<typeof render>;
  let app: Instance | undefined;
  afterEach(() => {
    app?.unmount();
    vi.useRealTimers();
  });

  async function press(input: string): Promise<void> {
    await waitFor(() => (app?.stdin.listenerCount('readable') ?? 0) > 0 || undefined);
    await new Promise((resolve) => setImmediate(resolve));
    app?.stdin.write(input);
  }

  /** A running exam in the console, its first task drawn. */
  async function openExam() {
    const session = runningSession(catalog, ids, Date.now());
    store.claim(session);
    const outcomes: Outcome[] = [];
    const services = fakeServices(catalog);
    const lab: ConsoleEnv = { services, store, clock: Date.now, kubeconfigEnv: () => services.kubeconfigEnv(), canDrill: true };
    app = render(h(App, { lab, initial: { screen: 'exam', session }, canGoHome: false, onOutcome: (o) => outcomes.push(o) }));
    await waitForFrame(app!.lastFrame, 'Task 1 of 3');
    return { session, outcomes, app };
  }

  it('says the change is not saved, retries every few seconds until it is, and Ctrl-C asks before losing it', async () => {
    // Timers that move with the clock (so waits work) and can be jumped forward.
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { session, outcomes } = await openExam();

    io.full = true;
    await press('f');
    const failed = await waitForFrame(app!.lastFrame, 'NOT saved');
    expect(failed).toContain('ENOSPC');
    expect(failed).toContain('flagged 1');
    expect(store.loadSession(session.id)?.tasks[0]?.flagged).toBe(false);

    // Ctrl-C with unsaved changes asks first instead of leaving.
    await press('\u0003');
    await waitForFrame(app!.lastFrame, 'Leave with unsaved changes?');
    expect(outcomes).toEqual([]);
    await press('n');
    await waitForFrame(app!.lastFrame, (f) => !f.includes('Leave with unsaved changes?'));

    // Still failing at the first retry; written at the next once there is room again.
    vi.advanceTimersByTime(SAVE_RETRY_MS);
    expect(store.unsaved(session.id)).toBeDefined();
    io.full = false;
    vi.advanceTimersByTime(SAVE_RETRY_MS);
    await waitFor(() => store.unsaved(session.id) === undefined || undefined);
    expect(store.loadSession(session.id)?.tasks[0]?.flagged).toBe(true);
    await waitForFrame(app!.lastFrame, (f) => !f.includes('NOT saved') && f.includes('flagged 1'));

    // Saved now: Ctrl-C leaves at once, and leaving says saved.
    await press('\u0003');
    const outcome = await waitFor(() => outcomes[0]);
    expect(outcome).toMatchObject({ kind: 'left' });
    expect(leaveExam(store, outcome.kind === 'left' ? outcome.session : undefined, Date.now()).code).toBe(EXIT.ok);
  });

  it('a second Ctrl-C leaves anyway, and leaving then reports the loss', async () => {
    const { session, outcomes } = await openExam();
    io.full = true;
    await press('n');
    await waitForFrame(app!.lastFrame, 'NOT saved');
    await press('\u0003');
    await waitForFrame(app!.lastFrame, 'Leave with unsaved changes?');
    await press('\u0003');
    const outcome = await waitFor(() => outcomes[0]);
    if (outcome.kind !== 'left') throw new Error(`expected left, got ${outcome.kind}`);
    const left = leaveExam(store, outcome.session, Date.now());
    expect(left.code).toBe(EXIT.error);
    expect(left.message).toContain('task 2 as the current task (saved: task 1)');
  });
});

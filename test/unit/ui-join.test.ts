// `ckad-lab join` on a terminal: the one exam screen, with a class's rules injected (tasks the instructor set
// up, her deadline, her KUBECONFIG line, no grading). The session comes from joinSession, as in the command.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../cli/ui/app.ts';
import type { ConsoleEnv, Outcome } from '../../cli/ui/shared.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { handedInMessage, leaveExam, type ExamRules } from '../../cli/exam/flow.ts';
import type { LabServices, PreparedTask } from '../../cli/exam/services.ts';
import type { CandidateRecord } from '../../cli/class/record.ts';
import { joinRules, joinSession } from '../../cli/class/join.ts';
import { fakeCatalog, prepare, waitFor, waitForFrame } from './exam-fakes.ts';

const catalog = fakeCatalog(1);
const ids = ['deployment-1', 'observability-1', 'design-build-1'];

type Instance = ReturnType<typeof render>;
let instances: Instance[] = [];
afterEach(() => {
  for (const i of instances) i.unmount();
  instances = [];
});

let store: ExamStore;
let calls: string[];
/** Every cluster call is recorded and refused: the joined console must make none. */
let services: LabServices;
beforeEach(() => {
  store = new ExamStore(mkdtempSync(join(tmpdir(), 'ckad-lab-join-')));
  calls = [];
  const refuse = (name: string) => () => {
    calls.push(name);
    return Promise.reject(new Error(`${name} called`));
  };
  services = {
    tasks: refuse('tasks'),
    kubeconfigEnv: () => 'export KUBECONFIG=/home/ann/class-jt/ann.kubeconfig',
    sandboxStatus: refuse('sandboxStatus'),
    ensureSandbox: refuse('ensureSandbox'),
    setupTasks: refuse('setupTasks'),
    grade: refuse('grade'),
    resetTask: refuse('resetTask'),
  };
});

function record(endsAt: number): CandidateRecord {
  return { class: 'jt', candidate: 'ann', prefix: 'jt-ann', seed: 7, tasks: ids, startsAt: Date.now() - 10 * 60_000, endsAt };
}

/** The tasks as joinClass reads them: rendered under her prefix, never set up here. */
const tasksOf = (r: CandidateRecord): PreparedTask[] =>
  r.tasks.map((id) => {
    const task = catalog.find((t) => t.id === id);
    if (!task) throw new Error(id);
    return prepare(task, { id, seed: r.seed, prefix: r.prefix });
  });

function mount(r: CandidateRecord, stillOpen?: ExamRules['stillOpen']) {
  const opened = joinSession(store, { record: r, tasks: tasksOf(r) }, Date.now());
  if (!opened.ok) throw new Error(opened.message);
  const rules: ExamRules = { ...joinRules(r, 'class-jt/ann.kubeconfig'), ...(stillOpen ? { stillOpen } : {}) };
  const outcomes: Outcome[] = [];
  const lab: ConsoleEnv = { services, store, clock: Date.now, kubeconfigEnv: () => services.kubeconfigEnv(), canDrill: false, exam: rules };
  const app = render(h(App, { lab, initial: { screen: 'exam', session: opened.session }, canGoHome: false, onOutcome: (o) => outcomes.push(o) }));
  instances.push(app);
  return { app, outcomes, session: opened.session, rules };
}

async function press(app: Instance, input: string): Promise<void> {
  await waitFor(() => app.stdin.listenerCount('readable') > 0 || undefined, 3000, () => 'the console to listen for keys');
  await new Promise((resolve) => setImmediate(resolve));
  app.stdin.write(input);
}

describe('join: a class exam in the exam console', () => {
  it('shows the class, her tasks, her namespace, her kubeconfig and the countdown to her own deadline', async () => {
    const { app } = mount(record(Date.now() + 45 * 60_000));
    const frame = await waitForFrame(app.lastFrame, 'Task 1 of 3');
    expect(frame).toContain('Class jt');
    expect(frame).toContain('ann');
    expect(frame).not.toContain('CKAD mock exam');
    expect(frame).toMatch(/⏱ 0:(45:00|44:5\d)/);
    expect(frame).toContain('Namespace  jt-ann-deployment-1');
    expect(frame).toContain('export KUBECONFIG=/home/ann/class-jt/ann.kubeconfig');
    expect(frame).toContain('Title of observa');
    expect(calls).toEqual([]);
  });

  it('n, f and ? work as on the exam; the help says the instructor grades', async () => {
    const { app, session } = mount(record(Date.now() + 45 * 60_000));
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, 'n');
    await waitForFrame(app.lastFrame, 'Namespace  jt-ann-observability-1');
    await press(app, 'f');
    await waitForFrame(app.lastFrame, 'flagged 1');
    expect(store.loadSession(session.id)).toMatchObject({ current: 1, tasks: [{ flagged: false }, { flagged: true }, { flagged: false }] });
    await press(app, '?');
    const help = await waitForFrame(app.lastFrame, 'Any key closes this help.');
    expect(help).toContain('your instructor grades it');
    expect(help).toContain('ckad-lab join class-jt/ann.kubeconfig');
    expect(help).not.toContain('ckad-lab resume');
    expect(help).toContain('ann.kubeconfig --env');
  });

  it('ending asks, then hands in: no grading, no score, the console leaves', async () => {
    const { app, outcomes } = mount(record(Date.now() + 45 * 60_000));
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, 'e');
    const ask = await waitForFrame(app.lastFrame, 'End the exam now?');
    expect(ask).toContain('your instructor grades your work');
    expect(ask).not.toContain('grade it?');
    await press(app, 'y');
    const outcome = await waitFor(() => outcomes[0]);
    expect(outcome.kind).toBe('handed-in');
    if (outcome.kind !== 'handed-in') return;
    expect(handedInMessage(outcome.session)).toBe('Exam ended. Your work is graded by your instructor.');
    expect(app.lastFrame() ?? '').not.toMatch(/Score|%|PASS|FAIL/);
    expect(calls).toEqual([]);
    expect(store.history().records).toEqual([]);
  });

  it('her deadline passing hands the exam in without grading', async () => {
    const { app, outcomes } = mount(record(Date.now() + 1_500));
    await waitForFrame(app.lastFrame, /⏱ 0:00:0[12]/);
    const outcome = await waitFor(() => outcomes[0], 5000);
    expect(outcome).toMatchObject({ kind: 'handed-in', session: { ended: { reason: 'timeout' } } });
    if (outcome.kind === 'handed-in') expect(handedInMessage(outcome.session)).toBe("Time's up. Your work is graded by your instructor.");
    expect(calls).toEqual([]);
  });

  it('the instructor ending the class (her token rejected) hands the exam in; a check that fails otherwise does not', async () => {
    const answers: (boolean | Error)[] = [true, new Error('ECONNREFUSED'), false];
    let asked = 0;
    const check = async () => {
      const answer = answers[Math.min(asked++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer as boolean;
    };
    const { app, outcomes } = mount(record(Date.now() + 45 * 60_000), { check, everyMs: 30 });
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    const outcome = await waitFor(() => outcomes[0], 5000);
    expect(asked).toBe(3);
    expect(outcome).toMatchObject({ kind: 'handed-in', session: { ended: { reason: 'timeout' } } });
    expect(calls).toEqual([]);
  });

  it('joined again after a crash, it reopens on the same task with the same flags; an extension moves the deadline', async () => {
    const r = record(Date.now() + 45 * 60_000);
    const first = mount(r);
    await waitForFrame(first.app.lastFrame, 'Task 1 of 3');
    await press(first.app, '3');
    await waitForFrame(first.app.lastFrame, 'Task 3 of 3');
    await press(first.app, 'f');
    await waitForFrame(first.app.lastFrame, 'flagged 1');
    first.app.unmount(); // killed: nothing but what was saved on each key remains
    expect(leaveExam(store, first.session, Date.now(), first.rules).message).toContain('Continue with: ckad-lab join class-jt/ann.kubeconfig');

    const again = mount({ ...r, endsAt: r.endsAt + 30 * 60_000 });
    const frame = await waitForFrame(again.app.lastFrame, 'Task 3 of 3');
    expect(frame).toContain('flagged 1');
    expect(frame).toContain('seen 2/3');
    expect(frame).toMatch(/⏱ 1:(15:00|14:5\d)/);
  });

  it('an exam she ended stays handed in when she joins again; one whose time ran out reopens after an extension', () => {
    const r = record(Date.now() + 45 * 60_000);
    const opened = joinSession(store, { record: r, tasks: tasksOf(r) }, Date.now());
    if (!opened.ok) throw new Error(opened.message);
    store.saveSession({ ...opened.session, ended: { at: Date.now(), reason: 'finished' } });
    const ended = joinSession(store, { record: r, tasks: tasksOf(r) }, Date.now());
    expect(ended).toMatchObject({ ok: false, message: expect.stringContaining('Your work is graded by your instructor.') });

    store.saveSession({ ...opened.session, ended: { at: Date.now(), reason: 'timeout' } });
    const extended = joinSession(store, { record: { ...r, endsAt: r.endsAt + 600_000 }, tasks: tasksOf(r) }, Date.now());
    expect(extended).toMatchObject({ ok: true, session: { deadline: r.endsAt + 600_000 } });
    if (extended.ok) expect(extended.session.ended).toBeUndefined();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../cli/ui/app.ts';
import type { ConsoleEnv, Outcome, Route } from '../../cli/ui/shared.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { fakeCatalog, fakeServices, halfResult, runningSession, waitFor, waitForFrame, type FakeServices } from './exam-fakes.ts';
import { weakestDomains } from '../../cli/exam/draw.ts';
import { renderTextHistory } from '../../cli/report/text.ts';

const catalog = fakeCatalog(2);
const ids = ['deployment-1', 'observability-1', 'design-build-1'];

type Instance = ReturnType<typeof render>;
let instances: Instance[] = [];
afterEach(() => {
  for (const i of instances) i.unmount();
  instances = [];
});

let store: ExamStore;
let services: FakeServices;
beforeEach(() => {
  store = new ExamStore(mkdtempSync(join(tmpdir(), 'ckad-lab-ui-')));
  services = fakeServices(catalog);
});

function mount(initial: Route) {
  const outcomes: Outcome[] = [];
  const lab: ConsoleEnv = { services, store, clock: Date.now, kubeconfigEnv: () => services.kubeconfigEnv(), canDrill: true };
  const app = render(h(App, { lab, initial, canGoHome: false, onOutcome: (o) => outcomes.push(o) }));
  instances.push(app);
  return { app, outcomes };
}

/** Input is read once a handler is attached; pending effects run before the next check phase. */
async function press(app: Instance, input: string): Promise<void> {
  await waitFor(() => app.stdin.listenerCount('readable') > 0 || undefined, 3000, () => 'the console to listen for keys');
  await new Promise((resolve) => setImmediate(resolve));
  app.stdin.write(input);
}

function startExam() {
  const session = runningSession(catalog, ids, Date.now(), 120);
  store.claim(session);
  return { session, ...mount({ screen: 'exam', session }) };
}

describe('exam screen', () => {
  it('shows the countdown, the task list, the namespace and the KUBECONFIG line', async () => {
    const { app } = startExam();
    const frame = await waitForFrame(app.lastFrame, 'Task 1 of 3');
    expect(frame).toMatch(/⏱ (2:00:00|1:59:5\d)/);
    expect(frame).toContain('Namespace  xabcde-deployment-1');
    expect(frame).toContain('export KUBECONFIG=/tmp/ckad-lab-test/kubeconfig');
    expect(frame).toContain('seen 1/3');
    expect(frame).toContain('Title of observa');
    expect(frame).toContain('Create a Deployment named web in namespace xabcde-deployment-1');
    expect(frame).not.toMatch(/expected|passed|points won/i);
  });

  it('n moves to the next task, marks it seen and saves the session', async () => {
    const { app, session } = startExam();
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, 'n');
    const frame = await waitForFrame(app.lastFrame, 'Task 2 of 3');
    expect(frame).toContain('Namespace  xabcde-observability-1');
    expect(frame).toContain('seen 2/3');
    expect(store.loadSession(session.id)?.current).toBe(1);
    await press(app, 'p');
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, '3');
    await waitForFrame(app.lastFrame, 'Task 3 of 3');
    expect(store.loadSession(session.id)?.current).toBe(2);
  });

  it('f flags the current task, on screen and on disk', async () => {
    const { app, session } = startExam();
    await waitForFrame(app.lastFrame, 'flagged 0');
    await press(app, 'f');
    const frame = await waitForFrame(app.lastFrame, 'flagged 1');
    expect(frame).toContain('⚑ flagged');
    expect(store.loadSession(session.id)?.tasks[0]?.flagged).toBe(true);
  });

  it('ending asks for confirmation; n keeps working, y ends, grades and shows the report', async () => {
    const { app, session, outcomes } = startExam();
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, 'e');
    const ask = await waitForFrame(app.lastFrame, 'End the exam now and grade it?');
    expect(ask).toContain('2 tasks are still unseen');
    await press(app, 'n');
    await waitForFrame(app.lastFrame, (f) => !f.includes('End the exam now') && f.includes('Task 1 of 3'));
    expect(services.calls.filter((c) => c.startsWith('grade'))).toEqual([]);
    await press(app, 'e');
    await waitForFrame(app.lastFrame, 'End the exam now and grade it?');
    await press(app, 'y');
    const report = await waitForFrame(app.lastFrame, 'Score 40%');
    expect(report).toContain('FAIL');
    expect(report).toContain('Application Deployment');
    expect(report).toContain('✗ image is nginx:1.27 0/3');
    expect(report).toContain('spec.template.spec.containers[web].image: expected');
    expect(report).toContain('got nginx:1.25');
    expect(services.calls).toContain('grade:deployment-1,observability-1,design-build-1');
    expect(store.history().records.map((r) => r.id)).toEqual([session.id]);
    expect(store.active()).toBeUndefined();
    await press(app, 'q');
    await waitFor(() => outcomes[0]);
    expect(outcomes[0]).toMatchObject({ kind: 'finished', record: { id: session.id, percent: 40 } });
  });

  it('ctrl-c leaves with the session saved and still in progress', async () => {
    const { app, session, outcomes } = startExam();
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, 'n');
    await waitForFrame(app.lastFrame, 'Task 2 of 3');
    await press(app, '\u0003');
    const outcome = await waitFor(() => outcomes[0]);
    expect(outcome).toMatchObject({ kind: 'left', session: { id: session.id, current: 1 } });
    expect(store.active()?.session?.current).toBe(1);
  });

  it('an exam whose time ran out while away ends at its deadline and is graded on resume', async () => {
    const session = runningSession(catalog, ids, Date.now() - 3 * 3600_000, 120);
    store.claim(session);
    const { app } = mount({ screen: 'exam', session });
    await waitForFrame(app.lastFrame, 'Score 40%');
    expect(store.history().records[0]).toMatchObject({ reason: 'timeout', endedAt: session.deadline });
  });

  it('sets the tasks up with progress, then starts the clock', async () => {
    const session = runningSession(catalog, ids, 0);
    const fresh = { ...session, startedAt: null, deadline: null, tasks: [], current: 0 };
    store.claim(fresh);
    const { app } = mount({ screen: 'exam', session: fresh });
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    expect(services.calls).toEqual(['ensureSandbox', 'setup:deployment-1,observability-1,design-build-1']);
    const saved = store.loadSession(session.id);
    expect(saved?.deadline).toBe((saved?.startedAt ?? 0) + 120 * 60_000);
  });

  it('warns clearly with less than 15 and less than 5 minutes left', async () => {
    const warn = runningSession(catalog, ids, Date.now() - 110 * 60_000, 120);
    store.claim(warn);
    const a = mount({ screen: 'exam', session: warn });
    expect(await waitForFrame(a.app.lastFrame, 'Task 1 of 3')).toMatch(/Less than 15 minutes left\s+⏱ 0:(10:00|09:5\d)/);
    a.app.unmount();
    const urgent = { ...warn, id: 'urgent0001', deadline: Date.now() + 4 * 60_000 };
    const b = mount({ screen: 'exam', session: urgent });
    expect(await waitForFrame(b.app.lastFrame, 'Task 1 of 3')).toContain('Less than 5 minutes left');
  });

  it('the help overlay lists the keys from the key table', async () => {
    const { app } = startExam();
    await waitForFrame(app.lastFrame, 'Task 1 of 3');
    await press(app, '?');
    const help = await waitForFrame(app.lastFrame, 'Any key closes this help.');
    expect(help).toContain('flag or unflag the task');
    expect(help).toContain('end the exam and grade it');
    await press(app, 'x');
    await waitForFrame(app.lastFrame, (f) => !f.includes('Any key closes') && f.includes('Task 1 of 3'));
  });
});

describe('drill screen', () => {
  it('c grades live and shows each check passed or failed with expected and actual', async () => {
    const { app } = mount({ screen: 'drill', choice: { id: 'deployment-1' }, timed: false, seed: 3 });
    const first = await waitForFrame(app.lastFrame, 'Title of deployment-1');
    expect(first).toContain('untimed · suggested 6 min');
    expect(first).not.toContain('Reference solution');
    await press(app, 's');
    await press(app, 'c');
    const checked = await waitForFrame(app.lastFrame, 'Check 1');
    expect(checked).toContain('2/5 points');
    expect(checked).toMatch(/✓ deployment exists/);
    expect(checked).toMatch(/✗ image is nginx:1.27/);
    expect(checked).toContain('spec.template.spec.containers[web].image: expected nginx:1.27, got nginx:1.25');
    expect(checked).not.toContain('Reference solution');
    await press(app, 's');
    const solved = await waitForFrame(app.lastFrame, 'Reference solution');
    expect(solved).toContain('create deployment web --image=nginx:1.27');
    await press(app, 'h');
    await waitForFrame(app.lastFrame, 'Hint 1/2: Use kubectl create deployment.');
  });

  it('every check is saved to history at once; the first is the score that --weakest sees, later ones say how it went on', async () => {
    let checks = 0;
    services = fakeServices(catalog, (tasks) => {
      checks += 1;
      const result = checks === 1 ? halfResult(tasks[0]!.id) : { ...halfResult(tasks[0]!.id), score: 5, checks: halfResult(tasks[0]!.id).checks.map((c) => ({ ...c, points: c.maxPoints, passed: true })) };
      return { score: result.score, maxScore: result.maxScore, percent: (result.score / result.maxScore) * 100, tasks: [result] };
    });
    const { app } = mount({ screen: 'drill', choice: { id: 'deployment-1' }, timed: false, seed: 3 });
    expect(await waitForFrame(app.lastFrame, 'Title of deployment-1')).toContain("Your first check is this drill's score in history");
    await press(app, 'h');
    await press(app, 'c');
    await waitForFrame(app.lastFrame, 'Check 1');
    const [first] = store.history().records;
    expect(first).toMatchObject({ kind: 'drill', score: 2, maxScore: 5, percent: 40, drill: { taskId: 'deployment-1', checks: 1, solvedOnCheck: null, hintsShown: 1 } });
    expect(first!.domains).toEqual([{ domain: 'deployment', score: 2, maxScore: 5, percent: 40, tasks: 1 }]);
    expect(weakestDomains(store.history().records)[0]).toMatchObject({ domain: 'deployment', percent: 40 });

    await press(app, 'c');
    await waitForFrame(app.lastFrame, 'Check 2');
    const records = store.history().records;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: first!.id, score: 2, percent: 40, drill: { checks: 2, solvedOnCheck: 2, latestPercent: 100 } });
    expect(renderTextHistory(records, [])).toContain('deployment-1: solved on check 2 of 2 checks, 1 hint');
  });

  it('r asks, then resets the task', async () => {
    const { app } = mount({ screen: 'drill', choice: { id: 'deployment-1' }, timed: true, seed: 3 });
    await waitForFrame(app.lastFrame, 'Title of deployment-1');
    await press(app, 'r');
    await waitForFrame(app.lastFrame, 'Reset the task?');
    await press(app, 'y');
    await waitFor(() => services.calls.find((c) => c === 'reset:deployment-1'));
    await waitForFrame(app.lastFrame, (f) => !f.includes('Reset the task?') && !f.includes('Resetting'));
  });
});

describe('one exit path', () => {
  it('an error a screen cannot handle is shown, then handed on whole (kind, hint, exit code) when the candidate leaves', async () => {
    const { CouldNotGrade } = await import('../../graders/reader.ts');
    const down = new CouldNotGrade('Could not read Namespace x: no answer within 10 s');
    services.setupTasks = () => Promise.reject(down);
    const { app, outcomes } = mount({ screen: 'drill', choice: { id: 'deployment-1' }, timed: false, seed: 1 });
    await waitForFrame(app.lastFrame, 'no answer within 10 s');
    await press(app, 'q');
    await waitFor(() => outcomes[0]);
    expect(outcomes[0]).toEqual({ kind: 'error', error: down });
  });
});

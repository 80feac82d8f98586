// The history screen's per-competency standings: weakest first, as `ckad-lab history` prints them, from fully
// graded attempts only; and `history --standings [--json]`, which leaves the `--json` array as it was.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../cli/ui/app.ts';
import type { ConsoleEnv } from '../../cli/ui/shared.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { reduce } from '../../cli/exam/session.ts';
import { historyRecord } from '../../cli/exam/history.ts';
import { plainHistory } from '../../cli/exam/plain.ts';
import type { TaskResult } from '../../graders/result.ts';
import { captureOutput } from '../../cli/exam/output.ts';
import { catalog as realCatalog } from '../../cli/lab/catalog.ts';
import type { Task } from '../../tasks/schema.ts';
import { fakeCatalog, fakeServices, runningSession, waitForFrame } from './exam-fakes.ts';

const catalog = fakeCatalog(2);
const competencyOf = (id: string): string => catalog.find((t) => t.id === id)!.competency;

type Instance = ReturnType<typeof render>;
let instances: Instance[] = [];
let stateDir: string;
let store: ExamStore;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'ckad-lab-ui-history-'));
  store = new ExamStore(stateDir);
});
afterEach(() => {
  for (const i of instances) i.unmount();
  instances = [];
});

const result = (id: string, score: number, error?: string): TaskResult => ({
  id,
  score,
  maxScore: 5,
  checks: [{ name: 'all of it', points: score, maxPoints: 5, passed: score === 5, ...(error ? { error } : {}) }],
});

/** A graded exam in history, ended at `at`, with each task's score out of 5. */
function saveAttempt(id: string, at: number, results: TaskResult[], tasks: readonly Task[] = catalog): void {
  const running = { ...runningSession(tasks, results.map((r) => r.id), at - 60_000), id };
  const ended = reduce(reduce(running, { type: 'END', at, reason: 'finished' }), {
    type: 'GRADED',
    report: { score: results.reduce((s, r) => s + r.score, 0), maxScore: results.length * 5, percent: 0, tasks: results },
  });
  store.saveHistory(historyRecord(ended)!);
}

function mount(services = fakeServices(catalog)) {
  const lab: ConsoleEnv = { services, store, clock: Date.now, kubeconfigEnv: () => '', canDrill: true };
  const app = render(h(App, { lab, initial: { screen: 'history' }, canGoHome: false, onOutcome: () => {} }));
  instances.push(app);
  return app;
}

/** The competency rows of a frame: name and percent, in the order shown. */
function competencyRows(frame: string): [string, string][] {
  const section = frame.slice(frame.indexOf('Per competency'));
  return section
    .split('\n')
    .slice(1)
    .map((line) => /^\s*([a-z-]+)\s+\S*\s+(\d+%)/.exec(line))
    .filter((m) => m !== null)
    .map((m) => [m[1]!, m[2]!]);
}

describe('history screen, per competency', () => {
  it('lists the competencies weakest first, leaving ungraded attempts out', async () => {
    saveAttempt('aaaaaa1111', 1_700_000_000_000, [result('deployment-1', 1), result('observability-1', 5), result('design-build-1', 3)]);
    // Ungraded (a check could not be graded): its task's competency must not appear, nor change the others.
    saveAttempt('bbbbbb2222', 1_700_000_100_000, [result('deployment-2', 0, 'could not grade: timeout'), result('deployment-1', 5)]);
    const app = mount();
    const frame = await waitForFrame(app.lastFrame, 'Per competency, weakest first');
    expect(competencyRows(frame)).toEqual([
      [competencyOf('deployment-1'), '20%'],
      [competencyOf('design-build-1'), '60%'],
      [competencyOf('observability-1'), '100%'],
    ]);
    expect(frame).not.toContain(competencyOf('deployment-2'));
    expect(frame).toContain('drill --competency');
  });

  it('shows the weakest six and says how many more there are', async () => {
    const ids = ['deployment-1', 'deployment-2', 'observability-1', 'observability-2', 'design-build-1', 'design-build-2', 'services-networking-1', 'services-networking-2'];
    saveAttempt('cccccc3333', 1_700_000_000_000, ids.map((id, i) => result(id, Math.min(5, i))));
    const frame = await waitForFrame(mount().lastFrame, /and 2 more \(ckad-lab history --standings/);
    const rows = competencyRows(frame);
    expect(rows.map(([c]) => c)).toEqual(ids.slice(0, 6).map(competencyOf));
    expect(rows.map(([, p]) => p)).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
  });

  it('without the catalog the rest of the history is still shown, without that section', async () => {
    saveAttempt('aaaaaa1111', 1_700_000_000_000, [result('deployment-1', 1)]);
    const services = { ...fakeServices(catalog), tasks: () => Promise.reject(new Error('no catalog')) };
    const app = mount(services);
    const frame = await waitForFrame(app.lastFrame, 'aaaaaa1111');
    expect(frame).toContain('Weakest');
    expect(frame).not.toContain('Per competency');
  });
});

describe('history --standings', () => {
  it('--json stays the array of records; --standings --json is the standings object', async () => {
    // Plain history reads the real catalog for each task's competency: real tasks of two domains.
    const tasks = await realCatalog();
    const [weak, strong, ungraded] = [tasks.find((t) => t.domain === 'deployment')!, tasks.find((t) => t.domain === 'observability')!, tasks.find((t) => t.domain === 'services-networking')!];
    saveAttempt('aaaaaa1111', 1_700_000_000_000, [result(weak.id, 1), result(strong.id, 5)], tasks);
    saveAttempt('bbbbbb2222', 1_700_000_100_000, [result(ungraded.id, 0, 'could not grade: timeout')], tasks);
    const plain = captureOutput();
    await plainHistory({ stateDir, interactive: false, json: true, output: plain });
    const records = JSON.parse(plain.stdout()) as { id: string }[];
    expect(records.map((r) => r.id)).toEqual(['aaaaaa1111', 'bbbbbb2222']);

    const standings = captureOutput();
    await plainHistory({ stateDir, interactive: false, json: true, standings: true, output: standings });
    const object = JSON.parse(standings.stdout()) as { domains: { domain: string; percent: number }[]; competencies: unknown[] };
    expect(object.competencies).toEqual([
      { competency: weak.competency, domain: 'deployment', percent: 20, attempts: 1 },
      { competency: strong.competency, domain: 'observability', percent: 100, attempts: 1 },
    ]);
    expect(object.domains.map((d) => [d.domain, d.percent])).toEqual([['deployment', 20], ['observability', 100]]);
    expect(standings.stderr()).toBe('');

    const text = captureOutput();
    await plainHistory({ stateDir, interactive: false, standings: true, output: text });
    expect(text.stdout()).toMatch(/^Weakest domains/);
    expect(text.stdout()).toContain('Per competency, weakest first');
    expect(text.stdout()).not.toContain('aaaaaa1111');
  });
});

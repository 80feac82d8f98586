import { describe, expect, it } from 'vitest';
import { validateCheck } from '../../graders/check-issues.ts';
import { Baseline, captureBaseline, gradeTask, gradeTasks, type GradeContext } from '../../graders/engine.ts';
import { CouldNotGrade } from '../../graders/reader.ts';
import { GradeReport, TaskResult } from '../../graders/result.ts';
import { FakeReader, NS, fakeClock, makeTask } from './fake-reader.ts';
import { deployment, pod } from './fixtures.ts';

const web = deployment(
  'web',
  [
    { name: 'log-agent', image: 'busybox:1.36' },
    { name: 'web', image: 'nginx:1.27' },
  ],
  { replicas: 3 },
);

const imageCheck = {
  name: 'web runs nginx:1.27 with a log agent',
  points: 2,
  hint: 'kubectl set image deployment/web web=nginx:1.27',
  object: { kind: 'Deployment', name: 'web' },
  expect: {
    spec: {
      template: {
        spec: {
          containers: {
            $findBy: 'name',
            items: [
              { name: 'web', image: 'nginx:1.27' },
              { name: 'log-agent', image: 'busybox:1.36' },
            ],
          },
        },
      },
    },
  },
};
const replicasCheck = { name: 'three replicas', points: 1, object: { kind: 'Deployment', name: 'web' }, expect: { spec: { replicas: 3 } } };

/** A context whose eventually-polling never really waits. */
function ctx(reader: FakeReader, extra: Partial<GradeContext> = {}): GradeContext {
  const clock = fakeClock();
  return { reader, now: clock.now, sleep: clock.sleep, ...extra };
}

describe('object checks', () => {
  it('gives full points when every check passes', async () => {
    const r = await gradeTask(makeTask([imageCheck, replicasCheck]), ctx(new FakeReader([web])));
    expect(r).toEqual({
      id: 'web-task',
      score: 3,
      maxScore: 3,
      checks: [
        { name: imageCheck.name, points: 2, maxPoints: 2, passed: true },
        { name: 'three replicas', points: 1, maxPoints: 1, passed: true },
      ],
    });
  });

  it('reports the first failure with path, expected, actual, hint and how many more', async () => {
    const wrong = deployment('web', [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'log-agent', image: 'busybox:1.35' },
    ]);
    const r = await gradeTask(makeTask([imageCheck, replicasCheck]), ctx(new FakeReader([wrong])));
    expect(r.score).toBe(0);
    expect(r.checks[0]).toEqual({
      name: imageCheck.name,
      points: 0,
      maxPoints: 2,
      passed: false,
      path: 'spec.template.spec.containers[log-agent].image',
      expected: 'busybox:1.36',
      actual: 'busybox:1.35',
      message:
        'spec.template.spec.containers[log-agent].image: expected busybox:1.36, got busybox:1.35 (+1 more) — hint: kubectl set image deployment/web web=nginx:1.27',
    });
    expect(r.checks[1]).toMatchObject({ passed: false, path: 'spec.replicas', expected: '3', actual: '1' });
  });

  it('treats a missing object as a failure, not an error', async () => {
    const r = await gradeTask(makeTask([imageCheck]), ctx(new FakeReader([])));
    expect(r.checks[0]).toMatchObject({ passed: false, points: 0, path: 'Deployment/web', actual: '<missing>' });
    expect(r.checks[0]?.error).toBeUndefined();
    expect(r.checks[0]?.message).toContain(`Deployment web not found in namespace ${NS}`);
  });

  it('looks in the task namespace by default and in the named one when given', async () => {
    const reader = new FakeReader([web]);
    await gradeTask(makeTask([replicasCheck, { ...replicasCheck, name: 'other', object: { kind: 'Deployment', name: 'web', namespace: 'elsewhere' } }]), ctx(reader));
    expect(reader.calls.sort()).toEqual(['get apps/v1 Deployment elsewhere/web', `get apps/v1 Deployment ${NS}/web`]);
  });

  it('reads cluster-scoped kinds without a namespace', async () => {
    const reader = new FakeReader([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { team: 'web' } } }]);
    const r = await gradeTask(makeTask([{ name: 'ns labelled', points: 1, object: { kind: 'Namespace', name: NS }, expect: { metadata: { labels: { team: 'web' } } } }]), ctx(reader));
    expect(r.checks[0]?.passed).toBe(true);
    expect(reader.calls).toEqual([`get v1 Namespace /${NS}`]);
  });
});

describe('errors are never a silent zero', () => {
  it('sets `error` when the reader throws CouldNotGrade, and still grades the rest', async () => {
    const reader = new FakeReader([web]);
    const task = makeTask([replicasCheck, { name: 'pods', points: 1, list: { kind: 'Pod', selector: 'app=web' }, count: 3 }]);
    const inner = reader.list.bind(reader);
    reader.list = async (q) => {
      await inner(q);
      throw new CouldNotGrade('pods is forbidden: User "candidate" cannot list resource "pods" (403)');
    };
    const r = await gradeTask(task, ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: true, points: 1 });
    expect(r.checks[1]).toEqual({
      name: 'pods',
      points: 0,
      maxPoints: 1,
      passed: false,
      error: 'could not grade: pods is forbidden: User "candidate" cannot list resource "pods" (403)',
    });
    expect(r.score).toBe(1);
    expect(TaskResult.parse(r)).toEqual(r);
  });

  it('sets `error` for any other reader failure', async () => {
    const reader = new FakeReader([web]);
    reader.failWith = new TypeError('fetch failed');
    const report = await gradeTasks([makeTask([replicasCheck])], ctx(reader));
    expect(report.tasks[0]?.checks[0]).toMatchObject({ points: 0, passed: false, error: 'TypeError: fetch failed' });
    expect(report.percent).toBe(0);
  });

  it('sets `error` for authoring bugs instead of throwing', async () => {
    const task = makeTask([
      { name: 'bad operator', points: 1, object: { kind: 'Deployment', name: 'web' }, expect: { spec: { replicas: { $gtee: 1 } } } },
      { name: 'bad custom', points: 1, custom: 'noSuchCheck' },
      { name: 'bad kind', points: 1, object: { kind: 'deployment', name: 'web' }, expect: { spec: {} } },
      { name: 'empty list check', points: 1, list: { kind: 'Pod' } },
    ]);
    const r = await gradeTask(task, ctx(new FakeReader([web])));
    expect(r.checks.map((c) => [c.points, c.error])).toEqual([
      [0, expect.stringContaining('spec.replicas: unknown operator $gtee')],
      [0, expect.stringContaining('unknown custom check "noSuchCheck"')],
      [0, expect.stringContaining('did you mean "Deployment"?')],
      [0, expect.stringContaining('list: give count, every or some')],
    ]);
  });
});

describe('absent checks', () => {
  const gone = { name: 'old pod deleted', points: 1, absent: { kind: 'Pod', name: 'old' } };

  it('passes when the object is gone or being deleted, fails while it exists', async () => {
    const grade = async (objects: ReturnType<typeof pod>[]) => (await gradeTask(makeTask([gone]), ctx(new FakeReader(objects)))).checks[0];
    expect(await grade([])).toMatchObject({ passed: true });
    expect(await grade([pod('old', {}, undefined, { deletionTimestamp: '2026-01-01T00:01:00Z' })])).toMatchObject({ passed: true });
    expect(await grade([pod('old', {})])).toMatchObject({ passed: false, path: 'Pod/old', expected: '<absent>', actual: 'exists' });
  });
});

describe('list checks', () => {
  const pods = [
    pod('web-1', { app: 'web' }),
    pod('web-2', { app: 'web' }, [{ name: 'web', image: 'nginx:1.25' }]),
    pod('web-3', { app: 'web' }, undefined, { deletionTimestamp: '2026-01-01T00:01:00Z' }),
    pod('db-1', { app: 'db' }),
  ];
  const grade = async (check: Record<string, unknown>, objects = pods) =>
    (await gradeTask(makeTask([{ name: 'pods', points: 1, list: { kind: 'Pod', selector: 'app=web' }, ...check }]), ctx(new FakeReader(objects)))).checks[0];

  it('counts live objects matching the selector (terminating ones are gone)', async () => {
    expect(await grade({ count: 2 })).toMatchObject({ passed: true });
    expect(await grade({ count: 3 })).toMatchObject({ passed: false, path: 'Pod -l app=web', expected: '3', actual: '2', message: 'Pod -l app=web: count: expected 3, got 2' });
    expect(await grade({ count: { $gte: 2 } })).toMatchObject({ passed: true });
  });

  it('every: all must match, and an empty list fails unless count allows it', async () => {
    const every = { spec: { containers: { $findBy: 'name', items: [{ name: 'web', image: 'nginx:1.27' }] } } };
    expect(await grade({ every })).toMatchObject({ passed: false, path: 'Pod/web-2.spec.containers[web].image', actual: 'nginx:1.25' });
    expect(await grade({ every }, [pods[0]!])).toMatchObject({ passed: true });
    expect(await grade({ every }, [])).toMatchObject({ passed: false, actual: '<none>' });
    expect(await grade({ every, count: 0 }, [])).toMatchObject({ passed: true });
  });

  it('some: one must match, else the closest is named', async () => {
    expect(await grade({ some: { spec: { containers: [{ image: 'nginx:1.25' }] } } })).toMatchObject({ passed: true });
    const miss = await grade({ some: { spec: { containers: [{ image: 'nginx:1.26' }] } } });
    expect(miss).toMatchObject({ passed: false, path: 'Pod -l app=web', actual: '["web-1","web-2"]' });
    expect(miss?.message).toContain('closest Pod/web-1.spec.containers[0].image: expected nginx:1.26, got nginx:1.27');
  });
});

describe('unchanged checks and baselines', () => {
  const keep = {
    name: 'log agent untouched',
    points: 1,
    unchanged: { kind: 'Deployment', name: 'web', paths: ['spec.template.spec.containers[log-agent].image', 'metadata.labels["app.kubernetes.io/part-of"]'] },
  };

  it('captures JSON-serialisable values after setup and compares against them', async () => {
    const task = makeTask([keep]);
    const baseline = await captureBaseline(task, new FakeReader([web]));
    const stored = Baseline.parse(JSON.parse(JSON.stringify(baseline)));
    expect(stored).toEqual({
      objects: {
        [`apps/v1 Deployment ${NS}/web`]: {
          'spec.template.spec.containers[log-agent].image': { value: 'busybox:1.36' },
          'metadata.labels["app.kubernetes.io/part-of"]': { absent: true },
        },
      },
    });

    const same = await gradeTask(task, ctx(new FakeReader([web]), { baseline: { [task.id]: stored } }));
    expect(same.checks[0]).toMatchObject({ passed: true });

    const edited = deployment('web', [
      { name: 'web', image: 'nginx:1.27' },
      { name: 'log-agent', image: 'busybox:latest' },
    ], { labels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' } });
    const changed = await gradeTask(task, ctx(new FakeReader([edited]), { baseline: { [task.id]: stored } }));
    expect(changed.checks[0]).toMatchObject({
      passed: false,
      path: 'metadata.labels["app.kubernetes.io/part-of"]',
      expected: '<missing>',
      actual: 'shop',
      message: 'metadata.labels["app.kubernetes.io/part-of"]: must stay <missing> (as set up), got shop (+1 more)',
    });
  });

  it('is an error, not a zero, when no baseline was recorded', async () => {
    const r = await gradeTask(makeTask([keep]), ctx(new FakeReader([web])));
    expect(r.checks[0]).toMatchObject({ points: 0, error: expect.stringContaining('no baseline recorded') });
  });

  it('refuses to capture a baseline of an object setup did not create', async () => {
    await expect(captureBaseline(makeTask([keep]), new FakeReader([]))).rejects.toThrow(/does not exist after setup/);
  });
});

describe('eventually', () => {
  const rollout = { name: 'rolled out', points: 1, eventually: true, object: { kind: 'Deployment', name: 'web' }, expect: { status: { updatedReplicas: 3 } } };

  it('re-reads until the check passes', async () => {
    const reader = new FakeReader([deployment('web', [{ name: 'web', image: 'nginx' }], { replicas: 3 })]);
    const settling = structuredClone(reader.objects[0]!) as { status: { updatedReplicas: number } };
    settling.status.updatedReplicas = 1;
    const settled = reader.objects[0]!;
    reader.objects = [settling];
    reader.beforeRead = (n) => {
      if (n === 3) reader.objects = [settled];
    };
    const clock = fakeClock();
    const r = await gradeTask(makeTask([rollout]), { reader, now: clock.now, sleep: clock.sleep, pollMs: 100 });
    expect(r.checks[0]).toMatchObject({ passed: true, points: 1 });
    expect(reader.calls).toHaveLength(3);
    expect(clock.slept).toEqual([100, 100]);
  });

  it('gives up at the deadline and reports the last failure', async () => {
    const reader = new FakeReader([deployment('web', [{ name: 'web', image: 'nginx' }], { replicas: 1 })]);
    const clock = fakeClock(0);
    const r = await gradeTask(makeTask([rollout]), { reader, now: clock.now, sleep: clock.sleep, pollMs: 250, deadline: 1000 });
    expect(r.checks[0]).toMatchObject({ passed: false, path: 'status.updatedReplicas', expected: '3', actual: '1' });
    expect(clock.now()).toBe(1000);
    expect(reader.calls).toHaveLength(5);
  });

  it('does not poll checks that are not eventually', async () => {
    const reader = new FakeReader([deployment('web', [{ name: 'web', image: 'nginx' }], { replicas: 1 })]);
    const clock = fakeClock(0);
    await gradeTask(makeTask([{ ...rollout, eventually: false }]), { reader, now: clock.now, sleep: clock.sleep, deadline: 10_000 });
    expect(reader.calls).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });
});

describe('caching', () => {
  it('reads each object and list once per pass, across checks and tasks', async () => {
    const reader = new FakeReader([web, pod('web-1', { app: 'web' })]);
    const pods = { name: 'pods', points: 1, list: { kind: 'Pod', selector: 'app=web' }, count: 1 };
    const tasks = [makeTask([imageCheck, replicasCheck, pods], 'task-a'), makeTask([replicasCheck, pods], 'task-b')];
    const report = await gradeTasks(tasks, ctx(reader));
    expect(report.score).toBe(report.maxScore);
    expect(reader.calls.sort()).toEqual([`get apps/v1 Deployment ${NS}/web`, `list v1 Pod ${NS} app=web`]);
  });

  it('grades a 20-task exam fast', async () => {
    const objects = [web, ...Array.from({ length: 30 }, (_, i) => pod(`web-${i}`, { app: 'web' }))];
    const reader = new FakeReader(objects);
    const every = { spec: { containers: { $findBy: 'name', items: [{ name: 'web', image: { $regex: 'nginx:1\\.2\\d' } }] } } };
    const tasks = Array.from({ length: 20 }, (_, i) =>
      makeTask([imageCheck, replicasCheck, { name: 'pods', points: 2, list: { kind: 'Pod', selector: 'app=web' }, count: { $gte: 30 }, every }], `task-${i}`),
    );
    const started = performance.now();
    const report = await gradeTasks(tasks, ctx(reader));
    expect(performance.now() - started).toBeLessThan(500);
    expect(report).toMatchObject({ score: 100, maxScore: 100, percent: 100 });
  });
});

describe('scores and the report contract', () => {
  it('adds up points and rounds percent to one decimal', async () => {
    const wrong = deployment('web', [{ name: 'web', image: 'nginx:1.25' }], { replicas: 3 });
    const tasks = [
      makeTask([imageCheck, replicasCheck], 'task-a'), // 1 of 3
      makeTask([{ ...replicasCheck, points: 5 }, { ...replicasCheck, name: 'four', points: 1, expect: { spec: { replicas: 4 } } }], 'task-b'), // 5 of 6
    ];
    const report = await gradeTasks(tasks, ctx(new FakeReader([wrong])));
    expect(report.tasks.map((t) => [t.id, t.score, t.maxScore])).toEqual([
      ['task-a', 1, 3],
      ['task-b', 5, 6],
    ]);
    expect(report).toMatchObject({ score: 6, maxScore: 9, percent: 66.7 });
    expect(GradeReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('reports 0 percent for an empty exam rather than NaN', async () => {
    expect(await gradeTasks([], ctx(new FakeReader()))).toEqual({ score: 0, maxScore: 0, percent: 0, tasks: [] });
  });
});

describe('validateCheck (for tasks lint)', () => {
  const check = (c: Record<string, unknown>) => makeTask([{ name: 'c', points: 1, ...c }]).checks[0]!;

  it('finds what grading would trip over', () => {
    expect(validateCheck(check({ object: { kind: 'Deploymnet', name: 'web' }, expect: { spec: { replicas: { $gte: 'x' } } } }))).toEqual([
      expect.stringMatching(/^kind: unknown kind "Deploymnet"/),
      'expect.spec.replicas: $gte needs a number, got x',
    ]);
    expect(validateCheck(check({ list: { kind: 'Pod', selector: 'app in (web' } }))).toEqual([
      expect.stringMatching(/^list\.selector: /),
      'list: give count, every or some (a list check with none passes for anything)',
    ]);
    expect(validateCheck(check({ absent: { kind: 'Namespace', name: 'x', namespace: 'y' } }))).toEqual(['namespace: Namespace is cluster-scoped']);
    expect(validateCheck(check({ unchanged: { kind: 'Deployment', name: 'web', paths: ['spec..replicas'] } }))).toEqual([expect.stringMatching(/^paths: .*empty key/)]);
    expect(validateCheck(check({ custom: 'serviceEndpoints', args: {} }))).toEqual([expect.stringMatching(/^args\.service: /)]);
    expect(validateCheck(check(imageCheck))).toEqual([]);
  });
});

describe('reader results', () => {
  it('are normalised to plain JSON (client-node model instances carry Dates and undefined keys)', async () => {
    class V1ConfigMap {
      apiVersion = 'v1';
      kind = 'ConfigMap';
      metadata = { name: 'cfg', namespace: NS, creationTimestamp: new Date('2026-01-01T00:00:00Z'), labels: undefined };
      data = { mode: 'prod' };
      binaryData = undefined;
      immutable = undefined;
    }
    const reader = new FakeReader();
    reader.get = async () => new V1ConfigMap() as never;
    const r = await gradeTask(
      makeTask([{ name: 'cfg', points: 1, object: { kind: 'ConfigMap', name: 'cfg' }, expect: { $allOf: [{ $len: 4 }], metadata: { labels: { $absent: true }, creationTimestamp: { $regex: '2026-01-01T.*' } }, data: { mode: 'prod' } } }]),
      ctx(reader),
    );
    expect(r.checks[0]).toMatchObject({ passed: true });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe as group, expect, it } from 'vitest';
import type { GradeReport } from '../../graders/result.ts';
import type { PreparedTask } from '../../cli/exam/services.ts';
import { renderClassHtml } from '../../cli/class/html.ts';
import { candidateDeadline, candidateSeeds, parseCandidates, validateClassName, type ClassRecord } from '../../cli/class/record.ts';
import { buildClassReport, ClassReport, renderClassCsv, renderClassText, type CandidateGrade } from '../../cli/class/report.ts';
import { classObjects, customResourceGroups, subjectCandidates, taskNamespaceBindings } from '../../cli/class/rights.ts';
import { renderWatch, timeLeft } from '../../cli/class/watch.ts';
import { unsupportedInClass } from '../../cli/class/rights.ts';
import { readStoredRecord } from '../../cli/class/cluster.ts';
import { listing, renderClassList } from '../../cli/class/list.ts';
import { minimalTask as taskFixture } from './task-fixture.ts';

const record: ClassRecord = {
  name: 'c1',
  tasks: ['t-a', 't-b'],
  candidates: [
    { name: 'alice', prefix: 'c1-alice', seed: 5 },
    { name: 'bob', prefix: 'c1-bob', seed: 5 },
    { name: 'carol', prefix: 'c1-carol', seed: 5 },
  ],
  startsAt: 1_000_000,
  endsAt: 1_000_000 + 3_600_000,
  minutes: 60,
};

const meta = (prefix: string): PreparedTask[] => [
  { id: 't-a', seed: 5, prefix, title: 'Task A', domain: 'deployment', minutes: 5, points: 4, namespace: `${prefix}-a`, namespaces: { ns: `${prefix}-a` }, values: {}, instructions: '', hints: [], solution: '', links: [] },
  { id: 't-b', seed: 5, prefix, title: 'Task B', domain: 'services-networking', minutes: 5, points: 6, namespace: `${prefix}-b`, namespaces: { ns: `${prefix}-b` }, values: {}, instructions: '', hints: [], solution: '', links: [] },
];

const report = (a: number, b: number): GradeReport => ({
  score: a + b,
  maxScore: 10,
  percent: (a + b) * 10,
  tasks: [
    { id: 't-a', score: a, maxScore: 4, checks: [{ name: 'a', points: a, maxPoints: 4, passed: a === 4 }] },
    { id: 't-b', score: b, maxScore: 6, checks: [{ name: 'b', points: b, maxPoints: 6, passed: b === 6 }] },
  ],
});

function grades(): CandidateGrade[] {
  const [alice, bob, carol] = record.candidates as [ClassRecord['candidates'][number], ClassRecord['candidates'][number], ClassRecord['candidates'][number]];
  return [
    { candidate: alice, deadline: record.endsAt, prepared: meta('c1-alice'), report: report(4, 6), touched: true, bindings: [] },
    {
      candidate: bob,
      deadline: record.endsAt,
      prepared: meta('c1-bob'),
      report: report(4, 0),
      touched: true,
      // Bob lets Alice into his namespace: the collusion flag.
      bindings: [{ namespace: 'c1-bob-a', name: 'share', subjects: [{ kind: 'ServiceAccount', name: 'alice', namespace: 'ckad-lab-class-c1' }] }, { namespace: 'c1-bob-a', name: 'ckad-lab-candidate-admin', subjects: [{ kind: 'ServiceAccount', name: 'bob', namespace: 'ckad-lab-class-c1' }] }],
    },
    { candidate: carol, deadline: record.endsAt, prepared: meta('c1-carol'), report: report(0, 6), touched: false, bindings: [] },
  ];
}

group('class record', () => {
  it('reads candidates from a list or a roster, and refuses unusable names', () => {
    expect(parseCandidates('alice, bob,carol', undefined)).toEqual(['alice', 'bob', 'carol']);
    const dir = mkdtempSync(join(tmpdir(), 'class-'));
    writeFileSync(join(dir, 'roster.csv'), '# cohort 7\nalice,Alice A\n\nbob # late\n');
    expect(parseCandidates(undefined, join(dir, 'roster.csv'))).toEqual(['alice', 'bob']);
    expect(() => parseCandidates('Alice', undefined)).toThrow(/not usable as a candidate name/);
    expect(() => parseCandidates('a,a', undefined)).toThrow(/listed twice/);
    expect(() => parseCandidates(undefined, undefined)).toThrow(/either --candidates/);
    expect(() => parseCandidates(undefined, join(dir, 'missing'))).toThrow(/cannot read it/);
    expect(() => validateClassName('Bad_Name', 'create')).toThrow(/lowercase DNS label/);
  });

  it('gives every candidate the same seed, or with --vary a different reproducible one', () => {
    expect([...candidateSeeds(['a', 'b'], 42, false).values()]).toEqual([42, 42]);
    const varied = candidateSeeds(['a', 'b', 'c'], 42, true);
    expect(new Set(varied.values()).size).toBe(3);
    expect(candidateSeeds(['a', 'b', 'c'], 42, true)).toEqual(varied);
  });

  it("a candidate's deadline is her extension, else the class's end, cut short by class end", () => {
    const [alice] = record.candidates as [ClassRecord['candidates'][number]];
    expect(candidateDeadline(record, alice)).toBe(record.endsAt);
    expect(candidateDeadline({ ...record, endedAt: record.startsAt + 60_000 }, alice)).toBe(record.startsAt + 60_000);
    expect(candidateDeadline({ ...record, endedAt: record.endsAt + 60_000 }, alice)).toBe(record.endsAt);
    expect(candidateDeadline({ ...record, endedAt: 5 }, { ...alice, extendedUntil: 99 })).toBe(99);
  });
});

group('class list', () => {
  const stored = (r: ClassRecord) => ({ ok: true as const, record: r });
  const hour = 3_600_000;

  it('says whether anyone can still work: the window, an extension past an end, an end, time up', () => {
    const during = record.startsAt + hour / 2;
    expect(listing('c1', stored(record), during)).toMatchObject({ state: 'open', candidates: 3, tasks: ['t-a', 't-b'], openUntil: record.endsAt, extended: 0 });
    expect(renderClassList([listing('c1', stored(record), during)], 'ctx', during)).toContain('open, 0:30:00 left\n');
    const oneLonger = { ...record, candidates: record.candidates.map((c) => (c.name === 'bob' ? { ...c, extendedUntil: record.endsAt + hour } : c)) };
    expect(renderClassList([listing('c1', stored(oneLonger), during)], 'ctx', during)).toContain('open, 0:30:00 left (1 extended candidate: 1:30:00 left)\n');
    const after = record.endsAt + 1;
    expect(listing('c1', stored(record), after).state).toBe('time-up');
    const ended = { ...record, endedAt: during };
    expect(listing('c1', stored(ended), during + 1).state).toBe('ended');
    // class extend after class end: alice works on, nobody else does.
    const reopened = { ...ended, candidates: record.candidates.map((c) => (c.name === 'alice' ? { ...c, extendedUntil: during + hour } : c)) };
    expect(listing('c1', stored(reopened), during + 1)).toMatchObject({ state: 'open', openUntil: during + hour, extended: 1, endedAt: during });
    const text = renderClassList([listing('c1', stored(reopened), during + 1)], 'kwok-ckad-lab', during + 1);
    expect(text).toMatch(/^CLASS\s+CANDIDATES\s+TASKS\s+WINDOW \(UTC\)\s+STATE\nc1\s+3\s+2\s+1970-01-01 00:16 to 01:16\s+ended; 1 extended candidate still working, 0:59:59 left\n$/);
  });

  it('lists a class without a readable record, with what to do, and says when there is none', async () => {
    const get = (text: string | undefined) => ({ get: async () => (text === undefined ? undefined : { apiVersion: 'v1', kind: 'ConfigMap', data: { 'class.json': text } }) });
    const missing = await readStoredRecord(get(undefined), 'half');
    const garbage = await readStoredRecord(get('{"name": "c1", '), 'c1');
    const wrong = await readStoredRecord(get(JSON.stringify({ ...record, tasks: [] })), 'c1');
    expect(missing).toMatchObject({ ok: false, problem: 'no record (no ConfigMap ckad-lab-class-half/class with class.json)' });
    expect(garbage).toMatchObject({ ok: false, problem: expect.stringMatching(/^its record \(ckad-lab-class-c1\/class\) is not JSON: /) });
    expect(wrong).toMatchObject({ ok: false, problem: expect.stringMatching(/^its record .* is not one ckad-lab can read: tasks: /) });
    const text = renderClassList([listing('half', missing, 0)], 'ctx', 0);
    expect(text).toContain('half   -           -      -             unreadable: no record');
    expect(text).toContain('half: An interrupted `class create` leaves a class without one: remove it with `ckad-lab class delete half`');
    expect(renderClassList([], 'ctx', 0)).toBe('No classes on context "ctx".\nCreate one: ckad-lab class create NAME --candidates a,b,c --exam 16\n');
  });
});

group('class rights', () => {
  it('binds admin and the extra role in a task namespace to her ServiceAccount only', () => {
    const [admin, extra] = taskNamespaceBindings('c1', 'alice', 'c1-alice-a');
    expect(admin).toMatchObject({ kind: 'RoleBinding', metadata: { namespace: 'c1-alice-a' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'alice', namespace: 'ckad-lab-class-c1' }] });
    expect(extra).toMatchObject({ roleRef: { name: 'ckad-lab-class-c1-extra' } });
  });

  it('labels every class-wide object with the class, and grants nothing cluster-wide beyond nodes', () => {
    const objects = classObjects('c1');
    for (const o of objects) expect(o.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ckad-lab', 'ckad-lab.dev/class': 'c1' });
    const crb = objects.filter((o) => o.kind === 'ClusterRoleBinding');
    expect(crb).toHaveLength(1);
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === (crb[0] as { roleRef: { name: string } }).roleRef.name) as { rules: { resources: string[]; verbs: string[] }[] };
    expect(role.rules.flatMap((r) => r.resources)).toEqual(['nodes', 'nodes', 'persistentvolumes', 'storageclasses', 'ingressclasses', 'customresourcedefinitions']);
    expect(new Set(role.rules.flatMap((r) => r.verbs))).toEqual(new Set(['get', 'list', 'watch']));
    expect(JSON.stringify(objects)).not.toContain('kwok');
  });

  it('knows whom a binding subject lets in', () => {
    const owners = new Map([['c1-bob-a', 'bob']]);
    expect(subjectCandidates(record, { kind: 'ServiceAccount', name: 'alice', namespace: 'ckad-lab-class-c1' }, owners)).toEqual(['alice']);
    expect(subjectCandidates(record, { kind: 'User', name: 'system:serviceaccount:ckad-lab-class-c1:carol' }, owners)).toEqual(['carol']);
    expect(subjectCandidates(record, { kind: 'ServiceAccount', name: 'default', namespace: 'c1-bob-a' }, owners)).toEqual(['bob']);
    expect(subjectCandidates(record, { kind: 'Group', name: 'system:serviceaccounts:ckad-lab-class-c1' }, owners)).toEqual(['alice', 'bob', 'carol']);
    expect(subjectCandidates(record, { kind: 'ServiceAccount', name: 'x', namespace: 'elsewhere' }, owners)).toEqual([]);
  });

  it('leaves tasks whose solution writes cluster-scoped objects out of classes; reading them is fine', () => {
    expect(unsupportedInClass(taskFixture())).toBeUndefined();
    const readsPv = taskFixture({ checks: [{ name: 'pv', points: 1, object: { kind: 'PersistentVolume', name: 'data' }, expect: { spec: { capacity: { storage: '1Gi' } } } }] });
    expect(unsupportedInClass(readsPv)).toBeUndefined();
    expect(unsupportedInClass({ id: 'x', solution: 'kubectl apply -f - <<EOF\napiVersion: v1\nkind: PersistentVolume\nEOF' })).toMatch(/creates a PersistentVolume, which is cluster-scoped/);
    expect(unsupportedInClass({ id: 'x', solution: 'kubectl create clusterrolebinding x --clusterrole=view' })).toMatch(/creates a clusterrolebinding/);
    expect(unsupportedInClass({ id: 'x', solution: 'kubectl -n ns create role x --verb=get --resource=pods' })).toBeUndefined();
  });

  it('lets candidates write the custom resources of CRDs their tasks install, only in their namespaces', () => {
    const groups = customResourceGroups({ setup: [{ apply: 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: ops.ckad-lab.dev\n' }, { apply: 'kind: ConfigMap' }] });
    expect(groups).toEqual(['ops.ckad-lab.dev']);
    const extra = classObjects('c1', { customGroups: [...groups, 'kwok.x-k8s.io'] }).find((o) => o.metadata?.name === 'ckad-lab-class-c1-extra') as { rules: { apiGroups: string[] }[] };
    expect(extra.rules.at(-1)?.apiGroups).toEqual(['ops.ckad-lab.dev']);
  });
});

group('class report', () => {
  const built = buildClassReport(record, grades(), record.endsAt + 1);

  it('ranks candidates, marks pass at 66 %, and matches the JSON contract', () => {
    expect(ClassReport.parse(built)).toEqual(built);
    expect(built.candidates.map((c) => [c.name, c.rank, c.score, c.percent, c.passed])).toEqual([
      ['alice', 1, 10, 100, true],
      ['carol', 2, 6, 60, false],
      ['bob', 3, 4, 40, false],
    ]);
    expect(built.candidates[0]?.tasks.map((t) => t.id)).toEqual(['t-a', 't-b']);
  });

  it('computes per-task pass rate and average, and per-domain averages', () => {
    expect(built.tasks).toEqual([
      { id: 't-a', title: 'Task A', domain: 'deployment', maxScore: 4, passRate: 66.7, averagePercent: 66.7 },
      { id: 't-b', title: 'Task B', domain: 'services-networking', maxScore: 6, passRate: 66.7, averagePercent: 66.7 },
    ]);
    expect(built.domains).toEqual([
      { domain: 'deployment', averagePercent: 66.7 },
      { domain: 'services-networking', averagePercent: 66.7 },
    ]);
  });

  it('flags a binding in one candidate\'s namespace naming another, and not the class\'s own', () => {
    expect(built.access).toEqual([{ candidate: 'bob', namespace: 'c1-bob-a', binding: 'share', grants: ['alice'] }]);
  });

  it('renders text, CSV (one row per candidate, one column per task) and self-contained HTML', () => {
    const text = renderClassText(built);
    expect(text).toMatch(/1 {4}alice .* 10\/10 .*100% {2}PASS/);
    expect(text).toContain('bob: RoleBinding c1-bob-a/share lets in alice');
    expect(text).toMatch(/carol .*nothing changed yet/);
    const csv = renderClassCsv(built).trim().split('\n');
    expect(csv[0]).toBe('rank,candidate,score,maxScore,percent,passed,t-a,t-b,changedAfterEnd,accessFlags');
    expect(csv[1]).toBe('1,alice,10,10,100,true,100,100,0,1');
    expect(csv[3]).toBe('3,bob,4,10,40,false,100,0,0,1');
    const html = renderClassHtml(built);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).not.toMatch(/<script|<link|src=|href="http|url\(/);
    expect(html).toContain('1 of 3 passed');
    expect(html).toContain('<summary>bob: 4/10 (40%), 1 check not passed</summary>');
  });

  it('watch shows cells, time left and who has not started', () => {
    expect(timeLeft(3_661_000, 0)).toBe('1:01:01');
    expect(timeLeft(0, 1)).toBe('ended');
    const text = renderWatch(built, new Map([['alice', record.endsAt + 60_000]]), { now: record.endsAt, tookMs: 120 });
    expect(text).toMatch(/alice +0:01:00 +100% +4\/4 +6\/6/);
    expect(text).toMatch(/bob +ended +40% +4\/4 +0\/6/);
    expect(text).toContain('Not started (nothing changed in their namespaces): carol');
  });
});

group('class watch grid (Ink)', () => {
  it('draws every candidate with time left and each cell, alphabetically', async () => {
    const { render } = await import('ink-testing-library');
    const { createElement } = await import('react');
    const { Grid } = await import('../../cli/class/watch-ui.ts');
    const built = buildClassReport(record, grades(), record.endsAt - 120_000);
    const deadlines = new Map([['alice', record.endsAt], ['bob', record.endsAt], ['carol', record.endsAt]]);
    const { lastFrame } = render(createElement(Grid, { snapshot: { report: built, deadlines, tookMs: 5 }, now: record.endsAt - 61_000 }));
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines[0]).toMatch(/Candidate +Left +Total +T1 +T2/);
    expect(lines[1]).toMatch(/alice +0:01:01 +100% +4\/4 +6\/6/);
    expect(lines[2]).toMatch(/bob +0:01:01 +40% +4\/4 +0\/6/);
    expect(lines[3]).toMatch(/carol .* not started/);
  });
});

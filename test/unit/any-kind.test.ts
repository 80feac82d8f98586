// Objects of any kind: built-ins from the table (no discovery), everything else through API discovery with the
// preferred version, cluster-scoped or namespaced as discovery says; lint keeps "did you mean" for built-ins.
import { describe, expect, it } from 'vitest';
import { checkIssues } from '../../graders/check-issues.ts';
import { gradeTask } from '../../graders/engine.ts';
import { kindProblems, resolveKind } from '../../graders/kinds.ts';
import { cachedReader } from '../../graders/cached-reader.ts';
import { CouldNotGrade, type ApiResource } from '../../graders/reader.ts';
import { Check } from '../../tasks/schema.ts';
import { FakeReader, NS, fakeClock, makeTask } from './fake-reader.ts';

const BACKUP_V1: ApiResource = { apiVersion: 'ops.ckad-lab.dev/v1', kind: 'Backup', resource: 'backups', namespaced: true, preferred: true };
const BACKUP_V1ALPHA1: ApiResource = { ...BACKUP_V1, apiVersion: 'ops.ckad-lab.dev/v1alpha1', preferred: false };
const NODE_POOL: ApiResource = { apiVersion: 'infra.example.com/v2', kind: 'NodePool', resource: 'nodepools', namespaced: false, preferred: true };

/** A FakeReader that also answers discovery, counting how often it is asked. */
class DiscoveringReader extends FakeReader {
  resources: ApiResource[] = [BACKUP_V1ALPHA1, BACKUP_V1, NODE_POOL];
  discoveries = 0;
  async discover(): Promise<ApiResource[]> {
    this.discoveries++;
    if (this.failWith) throw this.failWith;
    return this.resources;
  }
}

const backup = (spec: Record<string, unknown>, apiVersion = 'ops.ckad-lab.dev/v1') => ({ apiVersion, kind: 'Backup', metadata: { name: 'nightly', namespace: NS }, spec });
const ctx = (reader: FakeReader) => ({ reader, ...fakeClock() });

describe('resolveKind', () => {
  const discover = async () => [BACKUP_V1ALPHA1, BACKUP_V1, NODE_POOL];

  it('takes built-in kinds from the table without asking discovery', async () => {
    const never = async (): Promise<ApiResource[]> => {
      throw new Error('discovery asked');
    };
    expect(await resolveKind('DaemonSet', undefined, never)).toEqual({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true });
    expect(await resolveKind('ClusterRole', undefined, never)).toEqual({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false });
    expect(await resolveKind('StorageClass', undefined, never)).toMatchObject({ namespaced: false });
    expect(await resolveKind('HorizontalPodAutoscaler', 'autoscaling/v1', never)).toMatchObject({ apiVersion: 'autoscaling/v1', namespaced: true });
  });

  it('defaults a custom kind to its group\'s preferred version, or uses the version given', async () => {
    expect(await resolveKind('Backup', undefined, discover)).toEqual({ apiVersion: 'ops.ckad-lab.dev/v1', kind: 'Backup', namespaced: true });
    expect(await resolveKind('Backup', 'ops.ckad-lab.dev/v1alpha1', discover)).toMatchObject({ apiVersion: 'ops.ckad-lab.dev/v1alpha1' });
    expect(await resolveKind('NodePool', undefined, discover)).toMatchObject({ namespaced: false });
  });

  it('is undefined for a kind nothing serves, and refuses an ambiguous kind without apiVersion', async () => {
    expect(await resolveKind('Restore', undefined, discover)).toBeUndefined();
    expect(await resolveKind('Backup', 'ops.ckad-lab.dev/v2', discover)).toBeUndefined();
    const twoGroups = async () => [BACKUP_V1, { ...BACKUP_V1, apiVersion: 'velero.io/v1' }];
    await expect(resolveKind('Backup', undefined, twoGroups)).rejects.toThrow(/several API groups \(ops.ckad-lab.dev\/v1, velero.io\/v1\): add an apiVersion/);
  });

  it('says "did you mean" for misspelt built-ins, and leaves custom kinds alone', async () => {
    expect(kindProblems('deployment')).toEqual(['unknown kind "deployment": did you mean "Deployment"? (kinds are singular and case-sensitive)']);
    expect(kindProblems('Secrets')[0]).toContain('did you mean "Secret"');
    expect(kindProblems('Ingresses')[0]).toContain('did you mean "Ingress"');
    expect(kindProblems('Deploymnet')[0]).toContain('did you mean "Deployment"');
    expect(kindProblems('Deploymnet', 'apps/v1')[0]).toContain('did you mean "Deployment"');
    expect(kindProblems('Deployment', 'example.com/v1')).toEqual([]); // a CRD may reuse a built-in's name
    expect(kindProblems('Backup')).toEqual([]);
    expect(kindProblems('Note', 'notes.example.com/v1')).toEqual([]);
    expect(kindProblems('Deployment', 'batch/v1')).toEqual(['Deployment is served in apps (apps/v1), not batch/v1']);
    await expect(resolveKind('deployment', undefined, discover)).rejects.toThrow(/did you mean "Deployment"/);
  });

  it('without discovery, needs an apiVersion for other kinds and assumes them namespaced', async () => {
    await expect(resolveKind('Backup', undefined, undefined)).rejects.toThrow(/no API discovery: add an apiVersion/);
    expect(await resolveKind('Backup', 'ops.ckad-lab.dev/v1', undefined)).toMatchObject({ namespaced: true });
  });
});

describe('grading objects of any kind', () => {
  const scheduleCheck = { name: 'nightly backup', points: 2, object: { kind: 'Backup', name: 'nightly' }, expect: { spec: { schedule: '0 2 * * *', retentionDays: 7 } } };

  it('grades a custom resource found through discovery, in the task namespace', async () => {
    const reader = new DiscoveringReader([backup({ schedule: '0 2 * * *', retentionDays: 7 })]);
    const r = await gradeTask(makeTask([scheduleCheck]), ctx(reader));
    expect(r.score).toBe(2);
    expect(reader.calls).toEqual([`get ops.ckad-lab.dev/v1 Backup ${NS}/nightly`]);
  });

  it('reports field failures on a custom resource like on any object', async () => {
    const reader = new DiscoveringReader([backup({ schedule: '0 3 * * *', retentionDays: 7 })]);
    const r = await gradeTask(makeTask([scheduleCheck]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: false, path: 'spec.schedule', expected: '0 2 * * *', actual: '0 3 * * *' });
  });

  it('an object of a kind the server does not serve is a failure, not an error; absent passes', async () => {
    const reader = new DiscoveringReader([]);
    reader.resources = [];
    const r = await gradeTask(makeTask([scheduleCheck, { name: 'gone', points: 1, absent: { kind: 'Backup', name: 'nightly' } }]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: false, actual: '<missing>' });
    expect(r.checks[0]?.error).toBeUndefined();
    expect(r.checks[0]?.message).toContain('serves no kind Backup (is its CustomResourceDefinition installed?)');
    expect(r.checks[1]).toMatchObject({ passed: true });
  });

  it('reads cluster-scoped kinds without a namespace, from the table or from discovery', async () => {
    const reader = new DiscoveringReader([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'lab-web-reader', labels: { team: 'a' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] },
      { apiVersion: 'infra.example.com/v2', kind: 'NodePool', metadata: { name: 'pool-a' }, spec: { size: 3 } },
    ]);
    const r = await gradeTask(
      makeTask([
        { name: 'role', points: 1, object: { kind: 'ClusterRole', name: 'lab-web-reader' }, expect: { rules: [{ verbs: ['get'] }] } },
        { name: 'pool', points: 1, object: { kind: 'NodePool', name: 'pool-a' }, expect: { spec: { size: 3 } } },
        { name: 'pools', points: 1, list: { kind: 'NodePool' }, count: 1 },
      ]),
      ctx(reader),
    );
    expect(r.checks.map((c) => c.passed)).toEqual([true, true, true]);
    expect(reader.calls).toContain('get rbac.authorization.k8s.io/v1 ClusterRole /lab-web-reader');
    expect(reader.calls).toContain('get infra.example.com/v2 NodePool /pool-a');
  });

  it('a namespace on a kind discovery says is cluster-scoped is an authoring error', async () => {
    const r = await gradeTask(makeTask([{ name: 'pool', points: 1, object: { kind: 'NodePool', name: 'pool-a', namespace: NS }, expect: {} }]), ctx(new DiscoveringReader([])));
    expect(r.checks[0]?.error).toMatch(/NodePool is cluster-scoped: remove namespace/);
  });

  it('lists custom resources with the preferred version and counts them', async () => {
    const reader = new DiscoveringReader([backup({ schedule: 'x' }), { ...backup({}), metadata: { name: 'weekly', namespace: NS } }]);
    const r = await gradeTask(makeTask([{ name: 'two', points: 1, list: { kind: 'Backup' }, count: 2 }]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: true });
    expect(reader.calls).toEqual([`list ops.ckad-lab.dev/v1 Backup ${NS}`]);
  });

  it('asks discovery once per grading pass, however many checks need it', async () => {
    const reader = new DiscoveringReader([backup({ schedule: '0 2 * * *', retentionDays: 7 })]);
    const checks = [scheduleCheck, { ...scheduleCheck, name: 'again' }, { name: 'n', points: 1, list: { kind: 'Backup' }, count: 1 }];
    await gradeTask(makeTask(checks), ctx(reader));
    expect(reader.discoveries).toBe(1);
    const cached = cachedReader(reader);
    await Promise.all([cached.discover?.(), cached.discover?.()]);
    expect(reader.discoveries).toBe(2);
  });

  it('a discovery the API refuses is "could not grade" for the checks that need it', async () => {
    const reader = new DiscoveringReader([]);
    reader.failWith = new CouldNotGrade('403 on /apis');
    const r = await gradeTask(makeTask([scheduleCheck]), ctx(reader));
    expect(r.checks[0]?.error).toBe('could not grade: 403 on /apis');
  });

  it('tasks lint accepts any kind and catches misspelt built-ins', () => {
    const check = (kind: string, apiVersion?: string) => Check.parse({ name: 'x', points: 1, object: { kind, name: 'a', ...(apiVersion && { apiVersion }) }, expect: {} });
    expect(checkIssues(check('Backup')).map((i) => i.message)).toEqual([]);
    expect(checkIssues(check('Widget', 'example.com/v1')).map((i) => i.message)).toEqual([]);
    expect(checkIssues(check('daemonset')).map((i) => i.message)).toEqual(['kind: unknown kind "daemonset": did you mean "DaemonSet"? (kinds are singular and case-sensitive)']);
  });
});

describe('discovery while polling', () => {
  it('an eventually check polls objects afresh but discovers kinds once per pass', async () => {
    const reader = new DiscoveringReader([backup({ schedule: '0 3 * * *' })]);
    reader.beforeRead = (reads) => {
      if (reads >= 4) reader.objects = [backup({ schedule: '0 2 * * *' })];
    };
    const check = { name: 'settles', points: 1, eventually: true, object: { kind: 'Backup', name: 'nightly' }, expect: { spec: { schedule: '0 2 * * *' } } };
    const r = await gradeTask(makeTask([check]), ctx(reader));
    expect(r.checks[0]).toMatchObject({ passed: true });
    expect(reader.calls.length).toBeGreaterThanOrEqual(4);
    expect(reader.discoveries).toBe(1);
  });
});

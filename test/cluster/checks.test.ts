// The checks of issue 9 against the real sandbox: objects of any kind (a DaemonSet, a labelled ClusterRole, a
// custom resource of a CRD made here), access checks answered by the API server's RBAC authorizer, answer
// files, Helm releases decoded from helm's own Secrets, and the cleanup of a task's cluster-scoped objects.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, onTestFinished, test } from 'vitest';
import { gradeTask } from '../../graders/engine.ts';
import type { KubeObject } from '../../graders/reader.ts';
import { createSetupObject, removeOrphanClusterObjects, removeTaskClusterObjects } from '../../sandbox/cluster-objects.ts';
import { Kube, readerFor } from '../../sandbox/kube.ts';
import type { Task } from '../../tasks/schema.ts';
import { minimalTask } from '../unit/task-fixture.ts';
import { kubectl, sandboxEnv, sandboxKube, testNamespace, waitFor } from './helpers.ts';

const exec = promisify(execFile);

/** A task around `checks` in namespace `ns` (the fixture keeps up with the schema's required fields). */
function task(ns: string, checks: unknown[], id = 'checks-test'): Task {
  return minimalTask({ id, namespaces: { ns }, instructions: 'In {{ns}}.', checks });
}

const grade = (kube: Kube, t: Task) => gradeTask(t, { reader: readerFor(kube), deadline: Date.now() + 10_000 });

/** Deletes a cluster-scoped object this test created, when the test ends. */
function cleanupClusterObject(kube: Kube, apiVersion: string, kind: string, name: string): void {
  onTestFinished(async () => {
    await kube.raw('DELETE', await kube.path(apiVersion, kind, undefined, name)).catch(() => {});
  });
}

describe('objects of any kind', () => {
  test('a DaemonSet, a cluster-scoped ClusterRole with labels, and a custom resource of a CRD, found through discovery', async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    const group = `t${randomBytes(3).toString('hex')}.ckad-lab.dev`;
    const crdName = `backups.${group}`;
    cleanupClusterObject(kube, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', crdName);
    cleanupClusterObject(kube, 'rbac.authorization.k8s.io/v1', 'ClusterRole', `${ns}-reader`);

    await kube.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'backups', singular: 'backup', kind: 'Backup' },
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { schedule: { type: 'string' }, retentionDays: { type: 'integer' } } } } } } },
          { name: 'v1alpha1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        ],
      },
    });
    await waitFor('the CRD to be established', async () => {
      const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crdName });
      return ((crd?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    });
    await waitFor('Backup to be served', async () => (await kube.discover()).some((r) => r.kind === 'Backup' && r.apiVersion === `${group}/v1`));
    await kube.create({ apiVersion: `${group}/v1`, kind: 'Backup', metadata: { name: 'nightly', namespace: ns }, spec: { schedule: '0 2 * * *', retentionDays: 7 } } as KubeObject);
    await kube.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${ns}-reader`, labels: { team: 'web' } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
    await kube.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'node-agent' } }, template: { metadata: { labels: { app: 'node-agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } },
    });

    const backup = { kind: 'Backup', name: 'nightly' };
    const r = await grade(
      kube,
      task(ns, [
        { name: 'backup', points: 1, object: backup, expect: { apiVersion: `${group}/v1`, spec: { schedule: '0 2 * * *', retentionDays: 7 } } },
        { name: 'backup wrong', points: 1, object: backup, expect: { spec: { retentionDays: 30 } } },
        { name: 'backup v1alpha1', points: 1, object: { ...backup, apiVersion: `${group}/v1alpha1` }, expect: { apiVersion: `${group}/v1alpha1` } },
        { name: 'backups', points: 1, list: { kind: 'Backup' }, count: 1 },
        { name: 'role', points: 1, object: { kind: 'ClusterRole', name: `${ns}-reader` }, expect: { metadata: { labels: { team: 'web' } }, rules: [{ verbs: ['get', 'list'] }] } },
        { name: 'roles', points: 1, list: { kind: 'ClusterRole', selector: 'team=web' }, some: { metadata: { name: `${ns}-reader` } } },
        { name: 'agent', points: 1, object: { kind: 'DaemonSet', name: 'node-agent' }, expect: { spec: { template: { spec: { containers: [{ image: 'busybox:1.36' }] } } } } },
        { name: 'agent scheduled', points: 1, eventually: true, object: { kind: 'DaemonSet', name: 'node-agent' }, expect: { status: { desiredNumberScheduled: { $gte: 1 } } } },
        { name: 'restore', points: 1, object: { kind: 'Restore', apiVersion: `${group}/v1`, name: 'x' }, expect: {} },
      ]),
    );
    const byName = Object.fromEntries(r.checks.map((c) => [c.name, c]));
    expect(byName['backup']).toMatchObject({ passed: true });
    expect(byName['backup wrong']).toMatchObject({ passed: false, path: 'spec.retentionDays', expected: '30', actual: '7' });
    expect(byName['backup v1alpha1']).toMatchObject({ passed: true });
    expect(byName['backups']).toMatchObject({ passed: true });
    expect(byName['role']).toMatchObject({ passed: true });
    expect(byName['roles']).toMatchObject({ passed: true });
    expect(byName['agent']).toMatchObject({ passed: true });
    expect(byName['agent scheduled']).toMatchObject({ passed: true });
    expect(byName['restore']).toMatchObject({ passed: false, actual: '<missing>' });
    expect(byName['restore']?.error).toBeUndefined();
  });

  test("a task's cluster-scoped setup objects carry its labels and are removed with it; nothing else is", async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    const owner = { task: 'checks-test', prefix: `p${randomBytes(2).toString('hex')}` };
    const ours = `${ns}-setup-role`;
    const foreign = `${ns}-someone-elses`;
    const otherSession = `${ns}-other-session`;
    const leftover = `${ns}-candidate-role`;
    for (const name of [ours, foreign, otherSession, leftover]) cleanupClusterObject(kube, 'rbac.authorization.k8s.io/v1', 'ClusterRole', name);

    const role = (name: string): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, namespace: ns }, rules: [] });
    await createSetupObject(kube, role(ours), ns, owner);
    await createSetupObject(kube, role(otherSession), ns, { ...owner, prefix: 'someone' });
    await kube.create({ ...role(foreign), metadata: { name: foreign } });
    // What a candidate created in an earlier attempt: unlabelled, named by the task's check after its namespace.
    await kube.create({ ...role(leftover), metadata: { name: leftover } });
    const created = await kube.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: ours });
    expect(created?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ckad-lab', 'ckad-lab.dev/task': 'checks-test', 'ckad-lab.dev/prefix': owner.prefix });
    expect(created?.metadata?.namespace).toBeUndefined();

    // The task names the ClusterRole kind in its checks; cleanup lists that kind with the owner's labels.
    const t = task(ns, [{ name: 'role', points: 1, object: { kind: 'ClusterRole', name: `${ns}-candidate-role` }, expect: {} }]);
    await removeTaskClusterObjects(kube, t, owner);
    const exists = async (name: string) => Boolean(await kube.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name }));
    expect(await exists(ours)).toBe(false);
    expect(await exists(leftover)).toBe(false); // on the sandbox only: elsewhere setup refuses and names it

    // The same cluster reached as a user's own allowed context: the leftover is named, never deleted.
    await kube.create({ ...role(leftover), metadata: { name: leftover } });
    const own = new Kube(kube.kc, { ownedBySandbox: false, kubeconfigPath: kube.kubeconfigPath, allowedContexts: [kube.context] });
    await expect(removeTaskClusterObjects(own, t, owner)).rejects.toThrow(`ClusterRole ${leftover} on context "${kube.context}" is left from an earlier attempt`);
    expect(await exists(leftover)).toBe(true);
    expect(await exists(foreign)).toBe(true); // not labelled by ckad-lab, not named by the task's checks
    expect(await exists(otherSession)).toBe(true); // another session's
  });
  test('setup creates a CRD (shared: labelled without a prefix, left alone when it exists) and at once a custom resource of it', async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    const group = `s${randomBytes(3).toString('hex')}.ckad-lab.dev`;
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: { group, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    cleanupClusterObject(kube, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', `widgets.${group}`);
    const owner = { task: 'checks-test', prefix: 'a' };
    await createSetupObject(kube, crd, ns, owner);
    await createSetupObject(kube, crd, ns, { ...owner, prefix: 'b' }); // a second session: already there, fine
    await createSetupObject(kube, { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } }, ns, owner);
    const stored = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `widgets.${group}` });
    expect(stored?.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ckad-lab', 'ckad-lab.dev/task': 'checks-test' });
    expect(await kube.get({ apiVersion: `${group}/v1`, kind: 'Widget', namespace: ns, name: 'w' })).toBeTruthy();
  });

  test('objects of finished sessions (no namespace with their task and prefix left) are swept; live ones stay', async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    const live = { task: 'checks-sweep', prefix: `live${randomBytes(2).toString('hex')}` };
    const gone = { ...live, prefix: `gone${randomBytes(2).toString('hex')}` };
    // The live session's namespace, labelled as setup labels a task's namespaces.
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'ckad-lab.dev/task': live.task, 'ckad-lab.dev/prefix': live.prefix } } }, 'merge');
    const names = { live: `${ns}-live`, gone: `${ns}-gone`, plain: `${ns}-plain` };
    for (const name of Object.values(names)) cleanupClusterObject(kube, 'rbac.authorization.k8s.io/v1', 'ClusterRole', name);
    const role = (name: string): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });
    await createSetupObject(kube, role(names.live), ns, live);
    await createSetupObject(kube, role(names.gone), ns, gone);
    await kube.create(role(names.plain));

    const removed = await removeOrphanClusterObjects(kube);
    expect(removed).toContain(`ClusterRole/${names.gone}`);
    const exists = async (name: string) => Boolean(await kube.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name }));
    expect(await exists(names.gone)).toBe(false);
    expect(await exists(names.live)).toBe(true);
    expect(await exists(names.plain)).toBe(true);
  });
});

describe('access checks', () => {
  test('pass for a correct Role and binding, fail for verbs ["*"] with expected/actual and the reason', async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    await kubectl('create', 'serviceaccount', 'deployer', '-n', ns);
    await kubectl('create', 'role', 'deployer-role', '-n', ns, '--verb=get,list,watch,create,update,patch', '--resource=deployments.apps');
    await kubectl('create', 'rolebinding', 'deployer-binding', '-n', ns, '--role=deployer-role', `--serviceaccount=${ns}:deployer`);
    const check = {
      name: 'deployer',
      points: 2,
      access: {
        serviceAccount: 'deployer',
        rules: [
          { verb: ['get', 'list', 'watch', 'create', 'update', 'patch'], resource: 'deployments.apps', allowed: true },
          { verb: 'delete', resource: 'deployments.apps', allowed: false },
          { verb: 'get', resource: 'secrets', allowed: false },
          { verb: 'list', resource: 'deployments.apps', namespace: 'default', allowed: false },
        ],
      },
    };
    const good = await grade(kube, task(ns, [check]));
    expect(good.checks[0]).toMatchObject({ passed: true, points: 2 });

    await kubectl('patch', 'role', 'deployer-role', '-n', ns, '--type=json', '-p', '[{"op":"replace","path":"/rules/0/verbs","value":["*"]}]');
    const wide = await waitFor('the authorizer to see the wider Role', async () => {
      const r = await grade(kube, task(ns, [check]));
      return r.checks[0]?.passed === false ? r : undefined;
    });
    expect(wide.checks[0]).toMatchObject({ passed: false, path: `can ServiceAccount ${ns}/deployer delete deployments.apps in ${ns}`, expected: 'denied' });
    expect(wide.checks[0]?.actual).toMatch(/^allowed \(RBAC: allowed by RoleBinding "deployer-binding\//);
  });
});

describe('file checks', () => {
  test('pass, fail with expected/actual, and could-not-grade when the working directory is out of reach', async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    const root = join(inject('workDir'), 'file-checks');
    const workdir = join(root, ns);
    await mkdir(workdir, { recursive: true });
    onTestFinished(() => rm(workdir, { recursive: true, force: true }));
    await kubectl('run', 'web-1', '-n', ns, '--image=nginx:1.27', '--labels=app=web');
    await kubectl('run', 'web-2', '-n', ns, '--image=nginx:1.27', '--labels=app=web');
    await writeFile(join(workdir, 'pods.txt'), 'web-2\nweb-1\n');
    await writeFile(join(workdir, 'count.txt'), '3\n');

    const names = (path: string) => ({ name: 'names', points: 1, file: { path, equalsQuery: { list: { kind: 'Pod', selector: 'app=web' } } } });
    const checks = [
      names(`${workdir}/pods.txt`),
      { name: 'count', points: 1, file: { path: `${workdir}/count.txt`, equalsQuery: { list: { kind: 'Pod', selector: 'app=web' }, as: 'count' } } },
      { name: 'missing', points: 1, file: { path: `${workdir}/absent.txt` } },
    ];
    const r = await grade(kube, task(ns, checks));
    expect(r.checks[0]).toMatchObject({ passed: true });
    expect(r.checks[1]).toMatchObject({ passed: false, expected: '2', actual: '3' });
    expect(r.checks[2]).toMatchObject({ passed: false, actual: '<missing>' });

    // Graded where the working directory does not exist (another machine): could not grade, not a zero.
    const elsewhere = `/nonexistent-${randomBytes(3).toString('hex')}/${ns}`;
    const away = await grade(kube, task(ns, [names(`${elsewhere}/pods.txt`)]));
    expect(away.checks[0]?.error).toMatch(/^could not grade: the working directory .* is not on this machine/);
  });
});

/** The helm binary in the shared cache, if one was built. */
function helmBinary(): string | undefined {
  const bin = join(homedir(), '.cache', 'ckad-lab', 'bin');
  if (!existsSync(bin)) return undefined;
  const dir = readdirSync(bin).filter((d) => d.startsWith('helm-')).sort().at(-1);
  return dir && existsSync(join(bin, dir, 'helm')) ? join(bin, dir, 'helm') : undefined;
}

describe('helm release checks', () => {
  test.skipIf(!helmBinary())('a real release: install, upgrade with values, a failed revision', async () => {
    const kube = sandboxKube();
    const ns = await testNamespace(kube);
    const home = await mkdtemp(join(tmpdir(), 'ckad-lab-checks-helm-'));
    onTestFinished(() => rm(home, { recursive: true, force: true }));
    const env = { ...sandboxEnv(), HOME: home, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') };
    const helm = async (...args: string[]) => (await exec(helmBinary() as string, args, { env, cwd: home })).stdout;
    const chart = join(home, 'webapp');
    await mkdir(join(chart, 'templates'), { recursive: true });
    await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: webapp\nversion: 0.1.0\nappVersion: "1.27"\n');
    await writeFile(join(chart, 'values.yaml'), 'replicaCount: 1\nservice:\n  type: ClusterIP\n');
    await writeFile(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  replicas: "{{ .Values.replicaCount }}"\n  type: {{ .Values.service.type }}\n');

    await helm('install', 'shop', chart, '-n', ns, '--set', 'replicaCount=3');
    await helm('upgrade', 'shop', chart, '-n', ns, '--reuse-values', '--set', 'service.type=NodePort');
    const installed = {
      name: 'shop',
      points: 2,
      helmRelease: { name: 'shop' },
      expect: { status: 'deployed', chart: 'webapp', version: '0.1.0', revision: 2, values: { replicaCount: 3, service: { type: 'NodePort' } }, history: { $len: 2 } },
    };
    const r = await grade(kube, task(ns, [installed, { ...installed, name: 'wrong', expect: { values: { replicaCount: 4 } } }]));
    expect(r.checks[0]).toMatchObject({ passed: true });
    expect(r.checks[1]).toMatchObject({ passed: false, path: 'values.replicaCount', expected: '4', actual: '3' });

    // A revision whose manifest cannot be applied is stored as failed: the latest revision is what counts.
    await writeFile(join(chart, 'templates', 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "Not_A_Valid_Name"\n');
    await helm('upgrade', 'shop', chart, '-n', ns, '--reuse-values').catch(() => undefined);
    const failed = await grade(kube, task(ns, [{ ...installed, expect: { status: 'deployed', revision: 3 } }]));
    expect(failed.checks[0]).toMatchObject({ passed: false, path: 'status', expected: 'deployed', actual: 'failed' });
  });
});

// A class of three on the real sandbox: alice's kubeconfig solves her tasks (100%), cannot reach bob's
// namespaces, Secrets cluster-wide, cluster-scoped writes or a longer-lived token; class end revokes everyone at
// once, class extend brings back only alice; `class list` shows each state; reports carry the right numbers; a
// binding between candidates is flagged; class delete leaves nothing of the class and touches nothing else.
// Four representative tasks (a ConfigMap, a Deployment scaled and rolled out, a ResourceQuota, which needs the
// class's extra role beyond `admin`, and a NetworkPolicy) keep it well under two minutes.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe as group, expect, inject, it } from 'vitest';
import { catalog } from '../../cli/lab/open.ts';
import { describeTask, runScript } from '../../cli/lab/runner.ts';
import { candidateKube, credentialsWork } from '../../cli/class/join.ts';
import { ClassReport } from '../../cli/class/report.ts';
import type { ClassListing } from '../../cli/class/list.ts';
import { CLASS_LABEL } from '../../cli/class/record.ts';
import { MANAGED_BY } from '../../sandbox/kube.ts';
import { ckadLab, kubectl, sandboxEnv, sandboxKube, waitFor } from './helpers.ts';

const exec = promisify(execFile);
const TASKS = ['configmap-from-literals', 'scale-deployment', 'resource-quota', 'networkpolicy-db-ingress'];
const name = `c${randomBytes(3).toString('hex')}`;
let out: string;
const kubeconfig = (c: string) => join(out, `${c}.kubeconfig`);

/** kubectl as a candidate: her kubeconfig only. */
async function as(candidate: string, ...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec('kubectl', args, { env: { ...sandboxEnv(), KUBECONFIG: kubeconfig(candidate) } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

async function clusterInventory(): Promise<string[]> {
  const kinds = ['nodes', 'namespaces', 'clusterroles', 'clusterrolebindings', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'];
  const lists = await Promise.all(kinds.map(async (k) => (await kubectl('get', k, '-o', 'name')).trim().split('\n').filter(Boolean)));
  return lists.flat().sort();
}

async function gradeJson(): Promise<ClassReport> {
  const graded = await ckadLab(['class', 'grade', name, '--json', '--wait', '5', '--csv', join(out, 'r.csv'), '--html', join(out, 'r.html'), '--junit', join(out, 'junit')]);
  expect(graded.stderr).toBe('');
  return ClassReport.parse(JSON.parse(graded.stdout));
}

/** This class as `class list --json` shows it (other classes may be listed too). */
async function listed(): Promise<ClassListing | undefined> {
  const listing = await ckadLab(['class', 'list', '--json']);
  expect(listing.code, listing.stderr).toBe(0);
  return (JSON.parse(listing.stdout) as ClassListing[]).find((c) => c.name === name);
}

let before: string[];
/** A one-hour token alice minted for a ServiceAccount of her own namespace. */
let minted = '';
let bystander: string;

group('class', () => {
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'ckad-lab-class-'));
    bystander = `t-${randomBytes(3).toString('hex')}`;
    await sandboxKube().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: bystander, labels: { [MANAGED_BY.key]: MANAGED_BY.value } } });
    await kubectl('-n', bystander, 'create', 'configmap', 'keep-me', '--from-literal=a=b');
    before = await clusterInventory();
    const created = await ckadLab(['class', 'create', name, '--candidates', 'alice,bob,carol', '--tasks', TASKS.join(','), '--seed', '7', '--minutes', '30', '--out', out]);
    expect(created.stderr + created.stdout).toContain(`Class ${name}: 3 candidates × 4 tasks`);
    expect(created.code).toBe(0);
    // On the sandbox a class brings a node per candidate (gone again with class delete, checked below).
    expect((await kubectl('get', 'nodes', '-l', `${CLASS_LABEL}=${name}`, '-o', 'name')).trim().split('\n')).toEqual([1, 2, 3].map((i) => `node/${name}-node0${i}`));
    expect(await listed()).toMatchObject({ name, state: 'open', candidates: 3, tasks: TASKS, extended: 0 });
  }, 90_000);

  afterAll(async () => {
    await ckadLab(['class', 'delete', name]);
    await sandboxKube().deleteManagedNamespace(bystander).catch(() => {});
  }, 60_000);

  it("alice's reference solutions, run with her own kubeconfig, score 100%; untouched candidates 0%", async () => {
    const all = await catalog();
    const kube = candidateKube(kubeconfig('alice'));
    const runner = { kube, workRoot: inject('workDir'), kubectlDir: inject('kubectlDir') };
    for (const id of TASKS) {
      const task = all.find((t) => t.id === id);
      if (!task) throw new Error(id);
      const prepared = describeTask(task, { id, seed: 7, prefix: `${name}-alice` }, runner.workRoot);
      const result = await runScript(runner, prepared.solution, prepared.values.workdir as string);
      expect(result.output, id).not.toMatch(/forbidden/i);
      expect(result.code, `${id}: ${result.output}`).toBe(0);
    }
    const report = await gradeJson();
    const alice = report.candidates.find((c) => c.name === 'alice');
    expect(alice).toMatchObject({ rank: 1, percent: 100, passed: true, touched: true, ungraded: 0 });
    expect(alice?.tasks.map((t) => [t.id, t.score === t.maxScore])).toEqual(TASKS.map((t) => [t, true]));
    for (const c of ['bob', 'carol']) expect(report.candidates.find((x) => x.name === c)).toMatchObject({ percent: 0, passed: false, touched: false, rank: 2 });
    expect(report.tasks.map((t) => [t.id, t.passRate, t.averagePercent])).toEqual(TASKS.map((t) => [t, 33.3, 33.3]));
    const csv = (await readFile(join(out, 'r.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(`rank,candidate,score,maxScore,percent,passed,${TASKS.join(',')},changedAfterEnd,accessFlags`);
    expect(csv[1]).toBe(`1,alice,${alice?.maxScore},${alice?.maxScore},100,true,100,100,100,100,0,0`);
    const html = await readFile(join(out, 'r.html'), 'utf8');
    expect(html).toContain('1 of 3 passed');
    expect(html).not.toMatch(/<script|src=|url\(/);
    expect(await readFile(join(out, 'junit', 'alice.xml'), 'utf8')).toMatch(/failures="0" errors="0"/);
  }, 60_000);

  it("alice cannot read or write bob's namespaces, Secrets cluster-wide, cluster-scoped objects, or mint a token", async () => {
    const bobNs = `${name}-bob-config-lab`;
    const aliceNs = `${name}-alice-config-lab`;
    const forbidden = async (...args: string[]) => {
      const r = await as('alice', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.output, args.join(' ')).toMatch(/forbidden|denied/i);
    };
    await forbidden('get', 'configmaps', '-n', bobNs);
    await forbidden('get', 'configmap', 'kube-root-ca.crt', '-n', bobNs);
    await forbidden('create', 'configmap', 'x', '-n', bobNs, '--from-literal=a=b');
    await forbidden('get', 'secrets', '-A');
    await forbidden('get', 'namespaces');
    await forbidden('create', 'clusterrolebinding', 'mine', '--clusterrole=cluster-admin', `--serviceaccount=ckad-lab-class-${name}:alice`);
    await forbidden('create', 'token', 'alice', '-n', `ckad-lab-class-${name}`, '--duration=48h');
    // Even for a ServiceAccount in her own namespace (admin may create tokens there): the admission policy refuses
    // more than the hour the exam asks for, and class end revokes the hour (below).
    await forbidden('-n', aliceNs, 'create', 'token', 'default', '--duration=48h');
    const hour = await as('alice', '-n', aliceNs, 'create', 'token', 'default', '--duration=1h');
    expect(hour.code, hour.output).toBe(0);
    minted = hour.output.trim();
    await forbidden('get', 'configmap', `candidate-bob`, '-n', `ckad-lab-class-${name}`);
    for (const resource of ['logs.kwok.x-k8s.io', 'clusterlogs.kwok.x-k8s.io', 'exec.kwok.x-k8s.io', 'persistentvolumes', 'customresourcedefinitions']) {
      expect((await as('alice', 'auth', 'can-i', 'create', resource, '-n', aliceNs)).output, resource).toMatch(/^no$/m);
    }
    // What she does need works.
    expect((await as('alice', 'get', 'nodes')).code).toBe(0);
    expect((await as('alice', 'get', 'namespace', aliceNs)).code).toBe(0);
    expect((await as('alice', 'get', 'configmap', 'candidate-alice', '-n', `ckad-lab-class-${name}`)).code).toBe(0);
    expect((await as('alice', 'auth', 'can-i', 'create', 'limitranges', '-n', aliceNs)).output).toMatch(/^yes$/m);
  }, 60_000);

  it('refuses legacy token Secrets and pods that reach the host', async () => {
    const aliceNs = `${name}-alice-config-lab`;
    const apply = async (yaml: string) => {
      try {
        await exec('bash', ['-c', `kubectl apply -n ${aliceNs} -f - <<'EOF'\n${yaml}\nEOF`], { env: { ...sandboxEnv(), KUBECONFIG: kubeconfig('alice') } });
        return '';
      } catch (error) {
        return (error as { stderr?: string }).stderr ?? 'failed';
      }
    };
    expect(await apply('apiVersion: v1\nkind: Secret\nmetadata:\n  name: forever\n  annotations:\n    kubernetes.io/service-account.name: default\ntype: kubernetes.io/service-account-token')).toMatch(/cannot create ServiceAccount token Secrets/);
    // Ordinary Secrets and pods are hers to create (the policies must not get in the way of secret tasks).
    expect(await apply('apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\nstringData:\n  a: b')).toBe('');
    expect(await apply('apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers: [{name: c, image: busybox, securityContext: {capabilities: {add: [NET_ADMIN]}}}]')).toBe('');
    expect(await apply('apiVersion: v1\nkind: Pod\nmetadata:\n  name: h\nspec:\n  containers: [{name: c, image: busybox}]\n  volumes: [{name: root, hostPath: {path: /}}]')).toMatch(/hostPath/);
    expect(await apply('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: busybox, securityContext: {privileged: true}}]')).toMatch(/privileged/);
  }, 30_000);

  it("flags a binding in bob's namespace that lets alice in", async () => {
    const bobNs = `${name}-bob-scale-lab`;
    const r = await as('bob', '-n', bobNs, 'create', 'rolebinding', 'help-alice', '--clusterrole=view', `--serviceaccount=ckad-lab-class-${name}:alice`);
    expect(r.code, r.output).toBe(0);
    await waitFor('alice can read bob', async () => (await as('alice', 'get', 'deploy', '-n', bobNs)).code === 0);
    const report = await gradeJson();
    expect(report.access).toEqual([{ candidate: 'bob', namespace: bobNs, binding: 'help-alice', grants: ['alice'] }]);
  }, 30_000);

  it('class end revokes every candidate at once; class extend brings back only alice', async () => {
    expect((await as('alice', 'get', 'nodes')).code).toBe(0);
    // What an open join console asks every few seconds, with the kubeconfig she joined with.
    const aliceBefore = candidateKube(kubeconfig('alice'));
    expect(await credentialsWork(aliceBefore)).toBe(true);
    // Valid until the end: authenticated (the ServiceAccount simply has no rights), not rejected.
    expect((await as('alice', '--token', minted, 'get', 'pods', '-n', `${name}-alice-config-lab`)).output).toMatch(/forbidden/i);
    const ended = await ckadLab(['class', 'end', name]);
    expect(ended.code, ended.stderr).toBe(0);
    for (const c of ['alice', 'bob', 'carol']) {
      await waitFor(`${c} rejected`, async () => /Unauthorized|must be logged in/i.test((await as(c, 'get', 'nodes')).output));
    }
    expect(await credentialsWork(aliceBefore)).toBe(false);
    await waitFor('the token alice minted rejected', async () => /Unauthorized|must be logged in/i.test((await as('alice', '--token', minted, 'get', 'pods', '-n', `${name}-alice-config-lab`)).output));
    const join = await ckadLab(['join', kubeconfig('alice')]);
    expect(join.code).toBe(3);
    expect(join.stderr).toMatch(/no longer work/);
    const extended = await ckadLab(['class', 'extend', name, 'alice', '--minutes', '15', '--out', out]);
    expect(extended.code, extended.stderr).toBe(0);
    expect((await as('alice', 'get', 'nodes')).code).toBe(0);
    expect((await as('bob', 'get', 'nodes')).output).toMatch(/Unauthorized|must be logged in/i);
    const joined = await ckadLab(['join', kubeconfig('alice')]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toMatch(new RegExp(`Class ${name} · candidate alice · 4 tasks · 0:1[45]:\\d\\d left`));
    expect(joined.stdout).not.toContain('Reference solution');
    expect(await listed()).toMatchObject({ state: 'open', extended: 1, endedAt: expect.any(Number) });
    expect((await ckadLab(['class', 'list'])).stdout).toMatch(new RegExp(`^${name}\\s+3\\s+4\\s+.*ended; 1 extended candidate still working, 0:1[45]:\\d\\d left$`, 'm'));
  }, 60_000);

  it('class delete removes exactly what the class created; a class node running anyone else\'s Pod is cordoned, not deleted', async () => {
    // Nodes are shared: someone else's bare Pod (another class, a drill) may run on one of the class's nodes.
    const guest = `${name}-node01`;
    await sandboxKube().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'guest', namespace: bystander }, spec: { nodeName: guest, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] } });
    const removed = await ckadLab(['class', 'delete', name]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain(`warning: kept node ${guest} (cordoned; it still runs ${bystander}/guest`);
    expect(await listed()).toBeUndefined();
    expect(await clusterInventory()).toEqual([...before, `node/${guest}`].sort());
    expect(await kubectl('-n', bystander, 'get', 'pod', 'guest', '-o', 'jsonpath={.spec.nodeName}')).toBe(guest);
    expect(await kubectl('get', 'node', guest, '-o', 'jsonpath={.spec.unschedulable}')).toBe('true');
    await kubectl('-n', bystander, 'delete', 'pod', 'guest', '--grace-period=0', '--force');
    await kubectl('delete', 'node', guest);
    expect(await kubectl('-n', bystander, 'get', 'configmap', 'keep-me', '-o', 'name')).toContain('keep-me');
    expect(sandboxKube().context).toBeTruthy();
  }, 90_000);
});

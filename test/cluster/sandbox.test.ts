// The sandbox behaves like a real cluster where candidates learn from it: these run real kubectl against
// the real control plane booted in global-setup.ts, each test in its own namespace.
import { readFile, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../../sandbox/errors.ts';
import { connect, MANAGED_BY } from '../../sandbox/kube.ts';
import { resolveBinaries, resetNamespaces, sandboxDown, sandboxPaths, sandboxStatus, sandboxUp } from '../../sandbox/sandbox.ts';
import { ckadLab, kubectl, kubectlJson, sandboxKube, testNamespace, waitFor } from './helpers.ts';

type Pod = { metadata: { name: string; labels?: Record<string, string> }; status: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { ready: boolean; restartCount: number; state: { waiting?: { reason?: string } } }[] } };
type List<T> = { items: T[] };

const ready = (p: Pod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const waitingReasons = (p: Pod) => (p.status.containerStatuses ?? []).map((c) => c.state.waiting?.reason).filter(Boolean);

describe('pod lifecycle', () => {
  test('kubectl creates a deployment and its pods become Ready', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '-n', ns);
    const pods = await waitFor('3 Ready pods', async () => {
      const list = await kubectlJson<List<Pod>>('get', 'pods', '-n', ns, '-l', 'app=web');
      return list.items.length === 3 && list.items.every(ready) ? list.items : undefined;
    });
    expect(pods.every((p) => p.status.phase === 'Running')).toBe(true);
    await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=30s');
  });

  test('four image updates give revisions 1..5 and rollout undo --to-revision=3 lands on revision 3', async () => {
    const ns = await testNamespace();
    const images = ['nginx:1.25', 'nginx:1.26', 'nginx:1.27', 'nginx:1.28', 'nginx:1.29'];
    await kubectl('create', 'deployment', 'hello', `--image=${images[0]}`, '--replicas=2', '-n', ns);
    await kubectl('rollout', 'status', 'deployment/hello', '-n', ns, '--timeout=30s');
    for (const image of images.slice(1)) {
      await kubectl('set', 'image', 'deployment/hello', `nginx=${image}`, '-n', ns);
      await kubectl('rollout', 'status', 'deployment/hello', '-n', ns, '--timeout=30s');
    }
    const history = await kubectl('rollout', 'history', 'deployment/hello', '-n', ns);
    expect(history.trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '3', '4', '5']);
    const rev3 = await kubectl('rollout', 'history', 'deployment/hello', '-n', ns, '--revision=3');
    expect(rev3).toContain('nginx:1.27');

    await kubectl('rollout', 'undo', 'deployment/hello', '--to-revision=3', '-n', ns);
    await kubectl('rollout', 'status', 'deployment/hello', '-n', ns, '--timeout=30s');
    const deploy = await kubectlJson<{ metadata: { annotations: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } } }>('get', 'deployment', 'hello', '-n', ns);
    expect(deploy.spec.template.spec.containers[0]?.image).toBe('nginx:1.27');
    // Revision 3's ReplicaSet became revision 6, as on a real cluster.
    expect(deploy.metadata.annotations['deployment.kubernetes.io/revision']).toBe('6');
  });

  test('a tag that does not exist leaves the rollout stuck in ImagePullBackOff, old pods kept; undo recovers it', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '-n', ns);
    await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=30s');
    await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:9.99-does-not-exist', '-n', ns);
    const stuck = await waitFor('a new pod in ImagePullBackOff', async () => {
      const list = await kubectlJson<List<Pod>>('get', 'pods', '-n', ns, '-l', 'app=web');
      return list.items.find((p) => waitingReasons(p).includes('ImagePullBackOff'));
    });
    expect(stuck.status.phase).toBe('Pending');
    // `rollout status` keeps waiting (it would on a real cluster): it times out instead of succeeding.
    await expect(kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=3s')).rejects.toThrow(/timed out|exceeded/);
    const oldReady = (await kubectlJson<List<Pod>>('get', 'pods', '-n', ns, '-l', 'app=web')).items.filter((p) => ready(p));
    expect(oldReady.length).toBeGreaterThanOrEqual(2);

    await kubectl('rollout', 'undo', 'deployment/web', '-n', ns);
    await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=30s');
  });

  test('a Job completes', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'job', 'hello', '--image=busybox:1.36', '-n', ns, '--', 'echo', 'hi');
    await kubectl('wait', '--for=condition=complete', 'job/hello', '-n', ns, '--timeout=30s');
    const pods = await kubectlJson<List<Pod>>('get', 'pods', '-n', ns, '-l', 'job-name=hello');
    expect(pods.items.map((p) => p.status.phase)).toContain('Succeeded');
  });

  test('a container that exits 1 crash-loops with a rising restart count', async () => {
    const ns = await testNamespace();
    await kubectl('run', 'crasher', '--image=busybox:1.36', '-n', ns, '--', 'sh', '-c', 'exit 1');
    const pod = await waitFor('restartCount >= 2 in CrashLoopBackOff', async () => {
      const p = await kubectlJson<Pod>('get', 'pod', 'crasher', '-n', ns);
      const status = p.status.containerStatuses?.[0];
      return status && status.restartCount >= 2 ? p : undefined;
    }, 60_000);
    expect(ready(pod)).toBe(false);
    await waitFor('CrashLoopBackOff', async () => waitingReasons(await kubectlJson<Pod>('get', 'pod', 'crasher', '-n', ns)).includes('CrashLoopBackOff'), 30_000);
  });

  test('a Service gets the Ready pods as endpoints', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '-n', ns);
    await kubectl('expose', 'deployment', 'web', '--port=80', '-n', ns);
    const slice = await waitFor('2 ready endpoints', async () => {
      const list = await kubectlJson<List<{ endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[] }>>('get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web');
      const ready = list.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions.ready !== false);
      return ready.length === 2 ? ready : undefined;
    });
    expect(slice.flatMap((e) => e.addresses).every((a) => a.startsWith('239.64.'))).toBe(true);
  });

  test('pod IPs cannot be dialled and nodes are on loopback, so nothing reaches another machine', async () => {
    const ns = await testNamespace();
    await kubectl('run', 'web', '--image=nginx:1.27', '-n', ns);
    const pod = await waitFor('a pod IP', async () => {
      const p = await kubectlJson<{ status: { podIP?: string; hostIP?: string; conditions?: { type: string; status: string; reason?: string }[] } }>('get', 'pod', 'web', '-n', ns);
      return p.status.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    expect(pod.status.podIP).toMatch(/^239\.64\./);
    expect(pod.status.hostIP).toMatch(/^127\./);
    // A Ready pod carries no leftover "ContainersNotReady" reason.
    expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.reason).toBeUndefined();
    const refused = await new Promise<string>((resolve) => {
      const socket = tcpConnect(80, pod.status.podIP as string);
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
    });
    expect(refused).toBe('ENETUNREACH');
    const nodes = await kubectlJson<List<{ status: { addresses: { type: string; address: string }[] } }>>('get', 'nodes');
    expect(nodes.items.length).toBeGreaterThanOrEqual(2);
    for (const n of nodes.items) expect(n.status.addresses.find((a) => a.type === 'InternalIP')?.address).toMatch(/^127\./);
  });
});

describe('logs and exec, reached on loopback', () => {
  test('kubectl logs explains that containers are simulated; exec is refused without running anything', async () => {
    const ns = await testNamespace();
    await kubectl('run', 'web', '--image=nginx:1.27', '-n', ns);
    await kubectl('wait', '--for=condition=Ready', 'pod/web', '-n', ns, '--timeout=30s');
    expect(await kubectl('logs', 'web', '-n', ns)).toContain('containers are simulated (KWOK) and do not run');
    await expect(kubectl('exec', 'web', '-n', ns, '--', 'ls')).rejects.toThrow(/no exec found for container/);
  });
});

describe('sandbox lifecycle', () => {
  test('up on a running sandbox is harmless: same processes, objects kept', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'configmap', 'keep', '--from-literal=a=1', '-n', ns);
    const before = await sandboxStatus();
    const after = await sandboxUp({ binaries: await resolveBinaries({}, () => {}) });
    expect(after.state).toBe('running');
    expect(after.components.map((c) => c.pid)).toEqual(before.components.map((c) => c.pid));
    expect(await kubectl('get', 'configmap', 'keep', '-n', ns, '-o', 'jsonpath={.data.a}')).toBe('1');
  });

  test('killing the apiserver, then up (twice at once), recovers it once with objects intact', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'configmap', 'survivor', '--from-literal=k=v', '-n', ns);
    const apiserver = (await sandboxStatus()).components.find((c) => c.name === 'kube-apiserver');
    expect(apiserver?.pid).toBeTypeOf('number');
    process.kill(apiserver?.pid as number, 'SIGKILL');
    await waitFor('the sandbox to notice', async () => (await sandboxStatus()).state === 'degraded');
    // Two `up`s at once (two terminals): one repairs, the other waits for it and then finds it running.
    const binaries = await resolveBinaries({}, () => {});
    const steps: string[][] = [[], []];
    const [status, second] = await Promise.all(steps.map((log) => sandboxUp({ binaries, onProgress: (p) => log.push(p.step) })));
    expect([status?.state, second?.state]).toEqual(['running', 'running']);
    const repaired = steps.filter((log) => log.some((s) => s.startsWith('repairing')));
    const waited = steps.filter((log) => log.some((s) => s.startsWith('waiting for another ckad-lab')));
    expect([repaired.length, waited.length]).toEqual([1, 1]);
    expect(repaired[0]).not.toBe(waited[0]);
    expect(await kubectl('get', 'configmap', 'survivor', '-n', ns, '-o', 'jsonpath={.data.k}')).toBe('v');
    await waitFor('nodes Ready again', async () => {
      const nodes = await kubectlJson<List<{ status: { conditions: { type: string; status: string }[] } }>>('get', 'nodes');
      return nodes.items.every((n) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    });
  });

  // Issue 12 item 1: with etcd killed the API server accepts connections but never answers; grade used to crash
  // with the bug notice and no JSON. Every check must be "could not grade", the JSON printed, exit 3.
  test('killing etcd: grade --json says could not grade on every check, exit 3, and up repairs it', async () => {
    const prefix = `e${Math.random().toString(36).slice(2, 7)}`;
    expect((await ckadLab(['setup', 'configmap-from-literals', '--prefix', prefix])).code).toBe(0);
    const etcd = (await sandboxStatus()).components.find((c) => c.name === 'etcd');
    expect(etcd?.pid).toBeTypeOf('number');
    process.kill(etcd?.pid as number, 'SIGKILL');
    try {
      const graded = await ckadLab(['grade', 'configmap-from-literals', '--prefix', prefix, '--json', '--wait', '0']);
      expect(graded.code, graded.stderr).toBe(3);
      expect(graded.stderr).not.toContain('This is a bug');
      const report = JSON.parse(graded.stdout) as { complete: boolean; tasks: { checks: { error?: string }[] }[] };
      expect(report.complete).toBe(false);
      const checks = report.tasks.flatMap((t) => t.checks);
      expect(checks.length).toBeGreaterThan(0);
      for (const check of checks) expect(check.error).toMatch(/could not grade/i);
    } finally {
      const status = await sandboxUp({ binaries: await resolveBinaries({}, () => {}) });
      expect(status.state).toBe('running');
    }
    const regraded = await ckadLab(['grade', 'configmap-from-literals', '--prefix', prefix, '--json']);
    expect(regraded.code, regraded.stderr).toBe(0);
    await sandboxKube().deleteManagedNamespace(`${prefix}-config-lab`).catch(() => {});
  }, 180_000);

  // A restart used to start kwokctl while the old etcd and API server were still exiting (or exited but not yet
  // reaped): kwokctl took their pid files for running components and left them down.
  test('up after a stages change restarts every component; it stays up and pods get scheduled', async () => {
    const ns = await testNamespace();
    const before = await sandboxStatus();
    await writeFile(sandboxPaths().stagesHash, 'stages of an older ckad-lab\n');
    const status = await sandboxUp({ binaries: await resolveBinaries({}, () => {}) });
    expect(status.state).toBe('running');
    for (const c of status.components) expect(c.pid, c.name).not.toBe(before.components.find((b) => b.name === c.name)?.pid);
    await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '-n', ns);
    await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s');
    const later = await sandboxStatus();
    expect(later.components.filter((c) => !c.alive).map((c) => c.name)).toEqual([]);
    expect(later.state).toBe('running');
  });

  test('down, then up at once, brings every component back', async () => {
    const ns = await testNamespace();
    await kubectl('create', 'configmap', 'keep', '--from-literal=a=1', '-n', ns);
    await sandboxDown();
    expect((await sandboxStatus()).state).toBe('stopped');
    const status = await sandboxUp({ binaries: await resolveBinaries({}, () => {}) });
    expect(status.state).toBe('running');
    expect(await kubectl('get', 'configmap', 'keep', '-n', ns, '-o', 'jsonpath={.data.a}')).toBe('1');
  });

  test('reset deletes only namespaces carrying the ckad-lab label', async () => {
    const kube = sandboxKube();
    const labelled = await testNamespace(kube);
    const plain = `plain-${labelled}`;
    await kubectl('create', 'namespace', plain);
    try {
      const deleted = await resetNamespaces(kube);
      expect(deleted).toContain(labelled);
      expect(deleted).not.toContain(plain);
      expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: plain })).toBeDefined();
      expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: labelled })).toBeUndefined();
      await expect(kube.deleteManagedNamespace(plain)).rejects.toThrow(/not created by ckad-lab/);
    } finally {
      await kubectl('delete', 'namespace', plain, '--wait=false');
    }
  });
});

describe('the guard', () => {
  /** A kubeconfig whose only context, "foreign", reaches the sandbox: to ckad-lab it is someone else's cluster. */
  async function foreignKubeconfig(): Promise<string> {
    const kc = new KubeConfig();
    kc.loadFromFile(inject('kubeconfig'));
    const text = kc.exportConfig().replaceAll(`"${kc.getCurrentContext()}"`, '"foreign"');
    const path = join(inject('stateDir'), 'foreign-kubeconfig');
    await writeFile(path, text);
    const check = new KubeConfig();
    check.loadFromString(await readFile(path, 'utf8'));
    expect(check.getContextObject('foreign')).toBeTruthy();
    return path;
  }

  test('refuses to reset a context it did not create, and deletes nothing there', async () => {
    const ns = await testNamespace();
    const path = await foreignKubeconfig();
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = path;
    try {
      const foreign = connect({ sandboxKubeconfig: inject('kubeconfig'), context: 'foreign' });
      await expect(resetNamespaces(foreign)).rejects.toBeInstanceOf(UserError);
      await expect(resetNamespaces(foreign)).rejects.toThrow(/Refusing to delete ckad-lab namespaces on context "foreign"/);
    } finally {
      process.env.KUBECONFIG = previous;
    }
    expect(await sandboxKube().get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeDefined();

    const cli = await ckadLab(['sandbox', 'reset', '--context', 'foreign'], { KUBECONFIG: path });
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain('--allow-context foreign');
    expect(await sandboxKube().get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeDefined();
  });

  test('an explicitly allowed context may be reset, still only labelled namespaces', async () => {
    const ns = await testNamespace();
    const path = await foreignKubeconfig();
    const cli = await ckadLab(['sandbox', 'reset', '--context', 'foreign', '--allow-context', 'foreign'], { KUBECONFIG: path });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(ns);
    expect(await sandboxKube().get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeUndefined();
    expect(MANAGED_BY.value).toBe('ckad-lab');
  });
});

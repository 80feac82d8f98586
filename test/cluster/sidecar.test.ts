// Native sidecars (init containers with restartPolicy: Always) on the sandbox, as kubectl shows them.
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { kubectl, kubectlJson, sandboxEnv, testNamespace, waitFor } from './helpers.ts';

type ContainerStatus = { name: string; ready: boolean; started?: boolean; restartCount: number; state: { running?: object; waiting?: { reason?: string }; terminated?: { exitCode: number; reason?: string } } };
type Pod = { status: { phase?: string; conditions?: { type: string; status: string }[]; initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] } };

const condition = (p: Pod, type: string) => p.status.conditions?.find((c) => c.type === type)?.status;
const status = (p: Pod, name: string) => [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])].find((c) => c.name === name);

function apply(ns: string, manifest: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['apply', '-n', ns, '-f', '-'], { env: sandboxEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    child.stdin.end(JSON.stringify(manifest));
  });
}

const podWith = (name: string, sidecar: Record<string, unknown>, extraInit: Record<string, unknown>[] = []) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    initContainers: [...extraInit, { name: 'log-shipper', image: 'busybox:1.36', restartPolicy: 'Always', command: ['sh', '-c', 'tail -F /var/log/app.log'], ...sidecar }],
    containers: [{ name: 'app', image: 'nginx:1.27' }],
  },
});

describe('native sidecars', () => {
  test('a sidecar is Running and Ready beside the app; plain init containers complete first; kubectl shows 2/2', async () => {
    const ns = await testNamespace();
    await apply(ns, podWith('web', {}, [{ name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'echo ok'] }]));
    await kubectl('wait', '--for=condition=Ready', 'pod/web', '-n', ns, '--timeout=30s');
    const pod = await kubectlJson<Pod>('get', 'pod', 'web', '-n', ns);
    expect(status(pod, 'setup')).toMatchObject({ state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(status(pod, 'log-shipper')).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(status(pod, 'app')).toMatchObject({ ready: true, state: { running: {} } });
    expect(await kubectl('get', 'pod', 'web', '-n', ns, '--no-headers')).toMatch(/^web\s+2\/2\s+Running\s+0\s/);
  });

  test('the pod is Ready only once its sidecar has started: whenever Ready is seen, the sidecar is running', async () => {
    const ns = await testNamespace();
    // The pod waits on an image that cannot be pulled until the watch has seen it; fixing the image lets it start
    // (the init container's image may be changed on a pod), and the watch sees every state from there on.
    await apply(ns, podWith('web', { image: 'busybox:0.0.1' }));
    const watch = spawn('kubectl', ['get', 'pod', 'web', '-n', ns, '--watch', '-o', 'json', '--output-watch-events'], { env: sandboxEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    watch.stdout.on('data', (d: Buffer) => (text += d));
    const seen = () =>
      text
        .split(/\n(?=\{)/)
        .filter((t) => t.trim())
        .map((t) => (JSON.parse(t) as { object: Pod }).object);
    try {
      await waitFor('the watch to see the pod', async () => seen().length > 0);
      await kubectl('set', 'image', 'pod/web', 'log-shipper=busybox:1.36', '-n', ns);
      await kubectl('wait', '--for=condition=Ready', 'pod/web', '-n', ns, '--timeout=30s');
      const states = await waitFor('the watch to see the pod Ready', async () => (seen().some((p) => condition(p, 'Ready') === 'True') ? seen() : undefined));
      const readyStates = states.filter((p) => condition(p, 'Ready') === 'True');
      for (const p of readyStates) expect(status(p, 'log-shipper')).toMatchObject({ started: true, ready: true, state: { running: {} } });
      // Before it was Ready, the watch saw the sidecar not yet running.
      expect(states.some((p) => condition(p, 'Ready') !== 'True' && status(p, 'log-shipper')?.state.running === undefined)).toBe(true);
    } finally {
      watch.kill();
    }
  });

  test('a sidecar that exits restarts with a rising count; the app keeps running and the pod is not Ready', async () => {
    const ns = await testNamespace();
    await apply(ns, podWith('web', { command: ['sh', '-c', 'exit 1'] }));
    const pod = await waitFor('the sidecar to restart', async () => {
      const p = await kubectlJson<Pod>('get', 'pod', 'web', '-n', ns);
      return (status(p, 'log-shipper')?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    expect(pod.status.phase).toBe('Running');
    expect(condition(pod, 'Ready')).toBe('False');
    expect(status(pod, 'log-shipper')?.ready).toBe(false);
    expect(status(pod, 'app')).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
  });

  test('an unknown sidecar image fails to pull and the pod never starts', async () => {
    const ns = await testNamespace();
    await apply(ns, podWith('web', { image: 'busybox:0.0.1' }));
    const pod = await waitFor('ErrImagePull or ImagePullBackOff', async () => {
      const p = await kubectlJson<Pod>('get', 'pod', 'web', '-n', ns);
      return ['ErrImagePull', 'ImagePullBackOff'].includes(status(p, 'log-shipper')?.state.waiting?.reason ?? '') ? p : undefined;
    });
    expect(pod.status.phase).toBe('Pending');
    expect(condition(pod, 'Ready')).toBe('False');
    expect(await kubectl('get', 'pod', 'web', '-n', ns, '--no-headers')).toMatch(/Init:(ErrImagePull|ImagePullBackOff)/);
  });
});

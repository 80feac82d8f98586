import { describe, expect, it } from 'vitest';
import { customChecks, validateCustomCheck } from '../../graders/custom/index.ts';
import { gradeTask } from '../../graders/engine.ts';
import type { KubeObject } from '../../graders/reader.ts';
import { FakeReader, NS, makeTask } from './fake-reader.ts';
import { deployment, endpointSlice, pod, replicaSet, service } from './fixtures.ts';

const run = (name: string, args: Record<string, unknown>, objects: KubeObject[]) => {
  const task = makeTask([{ name: 'custom', points: 1, custom: name, args }]);
  const fn = customChecks[name];
  if (!fn) throw new Error(`no custom check ${name}`);
  return fn({ reader: new FakeReader(objects), args, namespace: NS, task });
};

describe('serviceEndpoints', () => {
  const stable = ['web-stable-1', 'web-stable-2', 'web-stable-3'].map((n) => pod(n, { app: 'web', track: 'stable' }));
  const canary = ['web-canary-1', 'web-canary-2'].map((n) => pod(n, { app: 'web', track: 'canary' }));
  const svc = service('web', { app: 'web' });
  const slice = (pods: KubeObject[], notReady: string[] = []) => endpointSlice('web', 'abcde', pods.map((p) => p.metadata?.name ?? ''), { notReady });

  it('canary: counts ready endpoints overall and on canary Pods', async () => {
    const args = { service: 'web', ready: 4, matching: { selector: 'track=canary', ready: 1 } };
    expect(await run('serviceEndpoints', args, [svc, ...stable, canary[0]!, slice([...stable, canary[0]!])])).toEqual([]);

    const tooMany = await run('serviceEndpoints', args, [svc, ...stable, ...canary, slice([...stable, ...canary])]);
    expect(tooMany).toEqual([
      { path: 'Service/web', expected: '4', actual: '5', message: 'ready endpoints: expected 4, got 5' },
      { path: 'Service/web', expected: '1', actual: '2', message: 'ready endpoints on Pods matching track=canary: expected 1, got 2' },
    ]);
  });

  it('does not count endpoints that are not ready', async () => {
    const objects = [svc, ...stable, canary[0]!, slice([...stable, canary[0]!], ['web-canary-1'])];
    expect(await run('serviceEndpoints', { service: 'web', ready: 3, matching: { selector: 'track=canary', ready: 0 } }, objects)).toEqual([]);
  });

  it('counts a Pod listed in an IPv4 and an IPv6 slice once', async () => {
    const v6 = endpointSlice('web', 'v6xyz', ['web-stable-1'], { addressType: 'IPv6' });
    expect(await run('serviceEndpoints', { service: 'web', ready: 1 }, [svc, stable[0]!, slice([stable[0]!]), v6])).toEqual([]);
  });

  it('blue/green: only green Pods receive traffic', async () => {
    const green = [pod('web-green-1', { app: 'web', version: 'green' }), pod('web-green-2', { app: 'web', version: 'green' })];
    const blue = pod('web-blue-1', { app: 'web', version: 'blue' });
    const args = { service: 'web', ready: 2, onlyPodsMatching: 'version=green' };
    expect(await run('serviceEndpoints', args, [svc, ...green, blue, slice(green)])).toEqual([]);

    const f = await run('serviceEndpoints', { ...args, ready: { $gte: 1 } }, [svc, ...green, blue, slice([...green, blue])]);
    expect(f).toEqual([
      {
        path: 'Service/web.endpoints[Pod/web-blue-1]',
        expected: 'a Pod matching version=green',
        actual: 'labels {"app":"web","version":"blue"}',
        message: 'traffic goes to Pod/web-blue-1, which does not match version=green (labels {"app":"web","version":"blue"})',
      },
    ]);
  });

  it('pods: some ready endpoint must be such a Pod', async () => {
    const args = { service: 'web', pods: { metadata: { labels: { track: 'canary' } } } };
    expect(await run('serviceEndpoints', args, [svc, ...stable, canary[0]!, slice([...stable, canary[0]!])])).toEqual([]);
    const f = await run('serviceEndpoints', args, [svc, ...stable, ...canary, slice(stable)]);
    expect(f).toMatchObject([{ path: 'Service/web', actual: '["Pod/web-stable-1","Pod/web-stable-2","Pod/web-stable-3"]' }]);
    expect(f[0]?.message).toContain('closest Pod/web-stable-1.metadata.labels.track: expected canary, got stable');
  });

  it('fails a Service without ready endpoints by default, and a missing Service', async () => {
    expect(await run('serviceEndpoints', { service: 'web' }, [svc, ...stable])).toMatchObject([{ message: 'ready endpoints: expected >= 1, got 0' }]);
    expect(await run('serviceEndpoints', { service: 'web' }, [])).toMatchObject([{ path: 'Service/web', actual: '<missing>' }]);
  });

  it('rejects bad args as an authoring error', async () => {
    await expect(run('serviceEndpoints', { service: 'web', onlyPodsMatching: 'version in (green' }, [svc])).rejects.toThrow(/invalid args/);
    expect(validateCustomCheck('serviceEndpoints', { srvice: 'web' })).toEqual([
      expect.stringMatching(/^args\.service: /),
      'args: Unrecognized key: "srvice"',
    ]);
    expect(validateCustomCheck('serviceEndpoints', { service: 'web', ready: { $gtee: 1 } })).toEqual([expect.stringContaining('unknown operator $gtee')]);
    expect(validateCustomCheck('serviceEndpoint', {})).toEqual([expect.stringContaining('unknown custom check "serviceEndpoint"')]);
    expect(validateCustomCheck('serviceEndpoints', { service: 'web', matching: { selector: 'track=canary', ready: '1' } })).toEqual([]);
  });
});

describe('deploymentRevision', () => {
  // Set up at nginx:1.25 (revision 1), updated to nginx:1.27 (revision 2), then `kubectl rollout undo`:
  // the first ReplicaSet is current again, renumbered to revision 3.
  const rolledBack = deployment('web', [{ name: 'web', image: 'nginx:1.25' }], { generation: 3, revision: 3 });
  const oldRs = replicaSet(rolledBack, '5d4f8', 3);
  const newRs = replicaSet(rolledBack, '7c9b2', 2, [{ name: 'web', image: 'nginx:1.27' }]);

  it('passes a rollback: the current ReplicaSet runs the old image with a new revision', async () => {
    expect(await run('deploymentRevision', { deployment: 'web', image: 'nginx:1.25', revision: { $gte: 3 } }, [rolledBack, newRs, oldRs])).toEqual([]);
  });

  it('fails a recreated Deployment (revision back to 1)', async () => {
    const recreated = deployment('web', [{ name: 'web', image: 'nginx:1.25' }], { uid: 'uid-new' });
    const f = await run('deploymentRevision', { deployment: 'web', image: 'nginx:1.25', revision: { $gte: 3 } }, [recreated, replicaSet(recreated, 'aaaaa', 1)]);
    expect(f).toEqual([
      {
        path: 'ReplicaSet/web-aaaaa.metadata.annotations["deployment.kubernetes.io/revision"]',
        expected: '>= 3',
        actual: '1',
        message: 'expected >= 3, got 1',
      },
    ]);
  });

  it('ignores ReplicaSets owned by another Deployment of the same name', async () => {
    const recreated = deployment('web', [{ name: 'web', image: 'nginx:1.25' }], { uid: 'uid-new', revision: 1 });
    const f = await run('deploymentRevision', { deployment: 'web', revision: 3 }, [recreated, oldRs]);
    expect(f).toMatchObject([{ path: 'Deployment/web', actual: '<none>' }]);
  });

  it('reports the image of the named container', async () => {
    const dep = deployment('web', [{ name: 'web', image: 'nginx:1.27' }, { name: 'log-agent', image: 'busybox:1.36' }], { revision: 2 });
    const rs = replicaSet(dep, 'b7c8d', 2);
    expect(await run('deploymentRevision', { deployment: 'web', container: 'web', image: 'nginx:1.27' }, [dep, rs])).toEqual([]);
    expect(await run('deploymentRevision', { deployment: 'web', container: 'web', image: 'nginx:1.25' }, [dep, rs])).toMatchObject([
      { path: 'ReplicaSet/web-b7c8d.spec.template.spec.containers[web].image', expected: 'nginx:1.25', actual: 'nginx:1.27' },
    ]);
    expect(await run('deploymentRevision', { deployment: 'web', image: 'nginx:1.27' }, [dep, rs])).toMatchObject([
      { path: 'ReplicaSet/web-b7c8d.spec.template.spec.containers[log-agent].image' },
    ]);
  });

  it('compares images normalised: docker.io/library/nginx:1.27 is nginx:1.27', async () => {
    const dep = deployment('web', [{ name: 'web', image: 'docker.io/library/nginx:1.27' }], { revision: 2 });
    const rs = replicaSet(dep, 'b7c8d', 2);
    expect(await run('deploymentRevision', { deployment: 'web', container: 'web', image: 'nginx:1.27' }, [dep, rs])).toEqual([]);
  });

  it('fails while the controller has not observed the latest spec', async () => {
    const pending = deployment('web', [{ name: 'web', image: 'nginx:1.25' }], { generation: 4, observedGeneration: 3 });
    expect(await run('deploymentRevision', { deployment: 'web', revision: 1 }, [pending, replicaSet(pending, 'x1', 1)])).toMatchObject([
      { path: 'Deployment/web.status.observedGeneration', expected: '>= 4', actual: '3' },
    ]);
  });

  it('needs image or revision, else it is an authoring error the engine reports', async () => {
    expect(validateCustomCheck('deploymentRevision', { deployment: 'web' })).toEqual([expect.stringContaining('give `image` and/or `revision`')]);
    const r = await gradeTask(makeTask([{ name: 'rev', points: 2, custom: 'deploymentRevision', args: { deployment: 'web' } }]), { reader: new FakeReader([rolledBack]) });
    expect(r.checks[0]).toMatchObject({ points: 0, passed: false, error: expect.stringContaining('invalid check "rev": args: give `image` and/or `revision`') });
  });
});

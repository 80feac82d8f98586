// What graders read is the API's own JSON, and what setup writes arrives whole: no renamed fields (`_from`,
// `_default`), no reformatted timestamps.
import { expect, test } from 'vitest';
import { readerFor } from '../../sandbox/kube.ts';
import { kubectlJson, sandboxKube, testNamespace } from './helpers.ts';

test('NetworkPolicy `from` and LimitRange `default` survive a write and a read', async () => {
  const kube = sandboxKube();
  const ns = await testNamespace(kube);
  await kube.create({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'db', namespace: ns },
    spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }] },
  });
  await kube.create({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: ns }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] } });

  // Written whole: kubectl sees `from` and `default`.
  const stored = await kubectlJson<{ spec: { ingress: { from: unknown[] }[] } }>('get', 'networkpolicy', 'db', '-n', ns);
  expect(stored.spec.ingress[0]?.from).toEqual([{ podSelector: { matchLabels: { app: 'api' } } }]);

  // Read as the API's JSON.
  const reader = readerFor(kube);
  const policy = await reader.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: ns, name: 'db' });
  expect(JSON.stringify(policy)).not.toContain('_from');
  expect((policy?.spec as { ingress: { from: unknown[] }[] }).ingress[0]?.from).toHaveLength(1);
  expect(String(policy?.metadata?.creationTimestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const [limits] = await reader.list({ apiVersion: 'v1', kind: 'LimitRange', namespace: ns });
  expect(limits?.kind).toBe('LimitRange');
  expect((limits?.spec as { limits: { default: unknown }[] }).limits[0]?.default).toEqual({ cpu: '500m' });
  expect(await reader.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'absent' })).toBeUndefined();
});

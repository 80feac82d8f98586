/*
 * serviceEndpoints: which Pods actually receive a Service's traffic, read from its EndpointSlices
 * (label kubernetes.io/service-name) and their targetRefs. For canary ("a quarter of the ready endpoints
 * are canary Pods") and blue/green ("only green Pods receive traffic") tasks, where the Service spec alone
 * proves nothing: a selector can be right and still match no ready Pod.
 *
 * args:
 *   service           the Service name (in the task's namespace)
 *   ready             number or expectation over the count of ready endpoints (distinct Pods). Default
 *                     {$gte: 1}: a Service with no ready endpoint never passes by accident.
 *   pods              expectation on the Pod objects: at least one ready endpoint's Pod matches it
 *                     (e.g. {metadata: {labels: {track: canary}}})
 *   onlyPodsMatching  label selector every ready endpoint's Pod must match (endpoints without a Pod fail)
 *   matching          {selector, ready}: the count of ready endpoints whose Pod matches `selector`
 *                     (canary: ready: 4 and matching: {selector: track=canary, ready: 1})
 * An endpoint is ready unless its conditions.ready is false (EndpointSlice: unset means ready). An endpoint
 * listed in several slices (dual-stack) counts once.
 */
import { z } from 'zod';
import { describeExpectation, formatValue, match, type Failure } from '../match.ts';
import type { KubeObject } from '../reader.ts';
import { matchesSelector } from '../selector.ts';
import { CountExpect, LabelSelector, ObjectExpect, missingObject, parseArgs } from './args.ts';
import type { CustomCheck } from './index.ts';

export const ServiceEndpointsArgs = z.strictObject({
  service: z.string().min(1),
  ready: CountExpect.optional(),
  pods: ObjectExpect.optional(),
  onlyPodsMatching: LabelSelector.optional(),
  matching: z.strictObject({ selector: LabelSelector, ready: CountExpect }).optional(),
});

type Backend = { label: string; pod?: { namespace: string; name: string } };

type Endpoint = {
  addresses?: string[];
  conditions?: { ready?: boolean | null };
  targetRef?: { kind?: string; namespace?: string; name?: string };
};

function readyBackends(slices: KubeObject[], namespace: string): Backend[] {
  const byKey = new Map<string, Backend>();
  for (const slice of slices) {
    for (const ep of (slice['endpoints'] as Endpoint[] | undefined) ?? []) {
      if (ep.conditions?.ready === false) continue;
      const ref = ep.targetRef;
      if (ref?.kind === 'Pod' && ref.name) {
        const ns = ref.namespace ?? namespace;
        byKey.set(`pod ${ns}/${ref.name}`, { label: `Pod/${ref.name}`, pod: { namespace: ns, name: ref.name } });
      } else {
        const addr = (ep.addresses ?? []).join(',');
        const label = ref?.kind && ref.name ? `${ref.kind}/${ref.name}` : addr;
        byKey.set(`addr ${label}`, { label });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

const labelsOf = (pod: KubeObject | undefined): Record<string, string> => pod?.metadata?.labels ?? {};

export const serviceEndpoints: CustomCheck = async ({ reader, args, namespace }) => {
  const a = parseArgs('serviceEndpoints', ServiceEndpointsArgs, args);
  const at = `Service/${a.service}`;
  const svc = await reader.get({ apiVersion: 'v1', kind: 'Service', namespace, name: a.service });
  if (!svc) return [missingObject('Service', a.service, namespace)];
  const slices = await reader.list({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    namespace,
    labelSelector: `kubernetes.io/service-name=${a.service}`,
  });
  const backends = readyBackends(slices, namespace);
  const failures: Failure[] = [];
  const prefixed = (fs: Failure[], prefix: string): void => {
    for (const f of fs) failures.push({ ...f, message: `${prefix}: ${f.message}` });
  };
  prefixed(match(a.ready ?? { $gte: 1 }, backends.length, at), 'ready endpoints');
  if (a.pods === undefined && a.onlyPodsMatching === undefined && a.matching === undefined) return failures;

  // One list of the namespace's Pods (cached per pass) instead of a get per endpoint.
  const local = await reader.list({ apiVersion: 'v1', kind: 'Pod', namespace });
  const byName = new Map(local.map((p) => [p.metadata?.name, p]));
  const pods = await Promise.all(
    backends.map(async (b) => {
      if (!b.pod) return undefined;
      if (b.pod.namespace === namespace) return byName.get(b.pod.name);
      return reader.get({ apiVersion: 'v1', kind: 'Pod', namespace: b.pod.namespace, name: b.pod.name });
    }),
  );
  const names = formatValue(backends.map((b) => b.label));

  if (a.pods !== undefined) {
    const tries = pods.map((p) => (p ? match(a.pods, p, `Pod/${p.metadata?.name ?? ''}`) : undefined));
    if (!tries.some((t) => t?.length === 0)) {
      const closest = tries.filter((t) => t !== undefined).reduce<Failure[] | undefined>((x, y) => (!x || y.length < x.length ? y : x), undefined)?.[0];
      failures.push({
        path: at,
        expected: `a ready endpoint on a Pod matching ${describeExpectation(a.pods)}`,
        actual: backends.length ? names : '<none>',
        message: `no ready endpoint is a Pod matching ${describeExpectation(a.pods)}${closest ? `; closest ${closest.path}: ${closest.message}` : ''}`,
      });
    }
  }
  if (a.onlyPodsMatching !== undefined) {
    const selector = a.onlyPodsMatching;
    backends.forEach((b, i) => {
      const pod = pods[i];
      if (pod && matchesSelector(labelsOf(pod), selector)) return;
      const actual = pod ? `labels ${formatValue(labelsOf(pod))}` : b.pod ? '<missing Pod>' : 'not a Pod';
      failures.push({
        path: `${at}.endpoints[${b.label}]`,
        expected: `a Pod matching ${selector}`,
        actual,
        message: `traffic goes to ${b.label}, which does not match ${selector} (${actual})`,
      });
    });
  }
  if (a.matching !== undefined) {
    const { selector, ready } = a.matching;
    const n = pods.filter((p) => p && matchesSelector(labelsOf(p), selector)).length;
    prefixed(match(ready, n, at), `ready endpoints on Pods matching ${selector}`);
  }
  return failures;
};

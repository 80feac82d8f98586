// Fixture objects shaped like what the API server returns (defaults filled in, status present), so the
// matcher meets the same noise it will meet on a real cluster.
import type { KubeObject } from '../../graders/reader.ts';
import { NS } from './fake-reader.ts';

type ContainerSpec = { name: string; image: string; [k: string]: unknown };

export function container(c: ContainerSpec): Record<string, unknown> {
  return {
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...c,
  };
}

function podSpec(containers: ContainerSpec[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    containers: containers.map(container),
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    ...extra,
  };
}

export function deployment(
  name: string,
  containers: ContainerSpec[],
  opts: { replicas?: number; labels?: Record<string, string>; generation?: number; observedGeneration?: number; revision?: number; uid?: string } = {},
): KubeObject {
  const labels = opts.labels ?? { app: name };
  const replicas = opts.replicas ?? 1;
  const generation = opts.generation ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      uid: opts.uid ?? `uid-${name}`,
      generation,
      resourceVersion: '1234',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels,
      annotations: { 'deployment.kubernetes.io/revision': String(opts.revision ?? 1) },
    },
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { creationTimestamp: null, labels }, spec: podSpec(containers) },
    },
    status: {
      observedGeneration: opts.observedGeneration ?? generation,
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      updatedReplicas: replicas,
    },
  };
}

/** The ReplicaSet the deployment controller would make for `dep`'s template (or for `containers`). */
export function replicaSet(dep: KubeObject, hash: string, revision: number, containers?: ContainerSpec[]): KubeObject {
  const spec = dep['spec'] as { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> }; replicas: number };
  const labels = { ...spec.template.metadata.labels, 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${dep.metadata?.name}-${hash}`,
      namespace: NS,
      uid: `uid-rs-${hash}`,
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(spec.replicas),
        'deployment.kubernetes.io/max-replicas': String(spec.replicas + 1),
        'deployment.kubernetes.io/revision': String(revision),
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata?.name, uid: dep.metadata?.['uid'], controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { creationTimestamp: null, labels },
        spec: containers ? podSpec(containers) : structuredClone(spec.template.spec),
      },
    },
    status: { replicas: spec.replicas, observedGeneration: 1 },
  };
}

export function pod(name: string, labels: Record<string, string>, containers: ContainerSpec[] = [{ name: 'web', image: 'nginx:1.27' }], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels, creationTimestamp: '2026-01-01T00:00:00Z', ...extra },
    spec: podSpec(containers, { nodeName: 'kwok-node-0', serviceAccountName: 'default' }),
    status: {
      phase: 'Running',
      podIP: '10.0.0.1',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
    },
  };
}

export function service(name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, uid: `uid-svc-${name}` },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector,
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  };
}

/** An EndpointSlice of `service` with one endpoint per pod name; `notReady` ones have ready: false. */
export function endpointSlice(service: string, suffix: string, pods: string[], opts: { notReady?: string[]; addressType?: string } = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-${suffix}`,
      namespace: NS,
      generateName: `${service}-`,
      labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service, uid: `uid-svc-${service}`, controller: true, blockOwnerDeletion: true }],
    },
    addressType: opts.addressType ?? 'IPv4',
    endpoints: pods.map((p, i) => {
      const ready = !(opts.notReady ?? []).includes(p);
      return {
        addresses: [opts.addressType === 'IPv6' ? `fd00::${i + 1}` : `10.0.0.${i + 1}`],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: 'kwok-node-0',
        targetRef: { kind: 'Pod', namespace: NS, name: p, uid: `uid-${p}` },
      };
    }),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function secret(name: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS, uid: `uid-secret-${name}` },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

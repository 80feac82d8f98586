// `kubectl top` in the sandbox: metrics-server scrapes the kubelet's /metrics/resource, which the kwok controller
// serves for every fake node from a Metric and the usage below; a task sets a pod's usage with annotations.
//
//   metadata:
//     annotations:
//       ckad-lab.dev/cpu: 250m          # the pod's CPU, shared equally by its containers without their own value
//       ckad-lab.dev/memory: 64Mi       # the pod's memory, likewise
//       ckad-lab.dev/cpu-sidecar: 5m    # one container's CPU (ckad-lab.dev/memory-<container> for memory)
//
// Pods without them use IDLE. Values are Kubernetes quantities; CPU at least 1m (metrics-server leaves out a
// container that used no CPU at all), a pod's value shared by N containers is cut to whole millicores. Annotations
// can be changed on a running pod; `kubectl top` follows within one scrape (METRIC_RESOLUTION), and a new pod
// shows up after two scrapes, as with a real metrics-server.
import { join } from 'node:path';
import { stringify } from 'yaml';

export const USAGE_ANNOTATION_PREFIX = 'ckad-lab.dev/';
/** What a container uses when its pod says nothing. */
export const IDLE = { cpu: '1m', memory: '4Mi' } as const;
/** metrics-server's scrape interval; 10 s is the least it accepts. */
export const METRIC_RESOLUTION = '10s';

type Resource = keyof typeof IDLE;

/**
 * CPU is a rate metrics-server derives from a counter scraped 10 s apart, within ±0.01 % of the set value, and
 * `kubectl top` rounds it up to the next millicore: 450m would often show as 451m. Set a hair under (0.1m per
 * container: exact up to about 1 core per container and 9 containers per pod), it shows as set. (kwok's CEL
 * Quantity keeps whole millicores when multiplied, and has no conversion to double, so it cannot be a ratio.)
 */
const CPU_UNDER = '100u';

/** The CEL expression kwok evaluates for each container (variables: pod, container, node). */
export function usageExpression(resource: Resource): string {
  const annotations = 'pod.metadata.annotations';
  const own = (name: string) => `"${USAGE_ANNOTATION_PREFIX}${resource}-" + ${name}`;
  const pod = `"${USAGE_ANNOTATION_PREFIX}${resource}"`;
  const sharing = `size(pod.spec.containers.filter(c, !((${own('c.name')}) in ${annotations})))`;
  const value = [
    `(${own('container.name')}) in ${annotations}`,
    `  ? Quantity(${annotations}[${own('container.name')}])`,
    `  : ${pod} in ${annotations}`,
    `    ? Quantity(${annotations}[${pod}]) / ${sharing}`,
    `    : Quantity("${IDLE[resource]}")`,
  ].join('\n');
  return resource === 'cpu' ? `(${value}) - Quantity("${CPU_UNDER}")` : value;
}

/** A ClusterResourceUsage for every pod (kwokctl would otherwise load kwok's own, with other annotation names). */
export function clusterResourceUsage(): Record<string, unknown> {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterResourceUsage',
    metadata: { name: 'usage-from-ckad-lab-annotations' },
    spec: { usages: [{ usage: { cpu: { expression: usageExpression('cpu') }, memory: { expression: usageExpression('memory') } } }] },
  };
}

/**
 * The objects metrics-server needs in the cluster, as the kustomization kwokctl builds with `kubectl kustomize`
 * (given a URL, kwokctl would download metrics-server's release manifest instead). kwokctl points the Service at
 * the metrics-server process on 127.0.0.1 and drops what would run it in the cluster. From metrics-server's
 * manifests/base, without the Deployment and RBAC (the process runs with the sandbox's admin credentials).
 */
export function metricsServerManifest(): Record<string, string> {
  const apiService = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
    spec: {
      service: { name: 'metrics-server', namespace: 'kube-system' },
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
    spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }], selector: { 'k8s-app': 'metrics-server' } },
  };
  return {
    'kustomization.yaml': stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['apiservice.yaml', 'service.yaml'] }),
    'apiservice.yaml': stringify(apiService),
    'service.yaml': stringify(service),
  };
}

export const metricsServerManifestDir = (sandboxRoot: string): string => join(sandboxRoot, 'metrics-server');

/**
 * What a node's own processes use (kubelet, container runtime, system daemons), on top of its pods: a real node
 * is never idle, and metrics-server reports no node whose CPU counter stands still (`kubectl top node` would say
 * "metrics not available" on an empty cluster).
 */
export const NODE_SYSTEM = { cores: 0.1, memoryBytes: 768 * 1024 * 1024 } as const;

const labels = (names: string[]) => names.map((name) => ({ name, value: name === 'container' ? 'container.name' : `pod.metadata.${name === 'pod' ? 'name' : name}` }));

/**
 * kubelet's /metrics/resource for every fake node, as kwok's own default Metric (kustomize/metrics/resource),
 * plus NODE_SYSTEM in the node's lines.
 */
export function metricsResource(): Record<string, unknown> {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Metric',
    metadata: { name: 'metrics-resource' },
    spec: {
      path: '/metrics/nodes/{nodeName}/metrics/resource',
      metrics: [
        { name: 'scrape_error', dimension: 'node', help: '[ALPHA] 1 if there was an error while getting metrics from the node, 0 otherwise', kind: 'gauge', value: '0' },
        { name: 'container_start_time_seconds', dimension: 'container', help: '[ALPHA] Start time of the container since unix epoch in seconds', kind: 'gauge', labels: labels(['container', 'namespace', 'pod']), value: 'pod.SinceSecond()' },
        { name: 'container_cpu_usage_seconds_total', dimension: 'container', help: '[ALPHA] Cumulative cpu time consumed by the container in core-seconds', kind: 'counter', labels: labels(['container', 'namespace', 'pod']), value: 'pod.CumulativeUsage("cpu", container.name)' },
        { name: 'container_memory_working_set_bytes', dimension: 'container', help: '[ALPHA] Current working set of the container in bytes', kind: 'gauge', labels: labels(['container', 'namespace', 'pod']), value: 'pod.Usage("memory", container.name)' },
        { name: 'pod_cpu_usage_seconds_total', dimension: 'pod', help: '[ALPHA] Cumulative cpu time consumed by the pod in core-seconds', kind: 'counter', labels: labels(['namespace', 'pod']), value: 'pod.CumulativeUsage("cpu")' },
        { name: 'pod_memory_working_set_bytes', dimension: 'pod', help: '[ALPHA] Current working set of the pod in bytes', kind: 'gauge', labels: labels(['namespace', 'pod']), value: 'pod.Usage("memory")' },
        { name: 'node_cpu_usage_seconds_total', dimension: 'node', help: '[ALPHA] Cumulative cpu time consumed by the node in core-seconds', kind: 'counter', value: `node.CumulativeUsage("cpu") + ${(NODE_SYSTEM.cores - 0.0001).toFixed(4)} * node.SinceSecond()` },
        { name: 'node_memory_working_set_bytes', dimension: 'node', help: '[ALPHA] Current working set of the node in bytes', kind: 'gauge', value: `node.Usage("memory") + ${NODE_SYSTEM.memoryBytes}.0` },
      ],
    },
  };
}

/** Flags for metrics-server on top of kwokctl's (the last one wins). */
export const METRICS_SERVER_ARGS = [
  { key: 'metric-resolution', value: METRIC_RESOLUTION },
  // Must stay under 90 % of the resolution; metrics-server refuses to start otherwise.
  { key: 'kubelet-request-timeout', value: '5s' },
  // The fake nodes' InternalIP is 127.0.0.1, where the kwok controller answers; a hostname would need DNS.
  { key: 'kubelet-preferred-address-types', value: 'InternalIP' },
];

/** Kubelet's resource-metrics path, per node: the kwok controller serves every node on one port. */
export const nodeMetricsAnnotation = (node: string): Record<string, string> => ({
  'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${node}/metrics/resource`,
});

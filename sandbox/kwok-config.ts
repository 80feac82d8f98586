// The sandbox's kwokctl configuration: the cluster's components and their flags (fixed when it is created), and
// how nodes and pods behave (stages, resource usage, logs; replaced in place on a running sandbox).
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';
import type { BinaryPaths } from './build.ts';
import { clusterResourceUsage, METRICS_SERVER_ARGS, metricsResource, metricsServerManifestDir } from './metrics.ts';
import { sandboxPaths } from './paths.ts';
import { stagesYaml } from './stages.ts';
import { VERSIONS } from './versions.ts';

export function kwokConfig(bin: BinaryPaths): string {
  const kwokctl = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: {
      runtime: 'binary',
      bindAddress: '127.0.0.1',
      kubeVersion: VERSIONS.kubernetes,
      kubeApiserverBinary: bin['kube-apiserver'],
      kubeControllerManagerBinary: bin['kube-controller-manager'],
      kubeSchedulerBinary: bin['kube-scheduler'],
      kubectlBinary: bin.kubectl,
      etcdBinary: bin.etcd,
      kwokControllerBinary: bin.kwok,
      quietPull: true,
      disableQPSLimits: true,
      // Tasks give pods log lines with kwok `Logs` objects (sandbox/logs.ts). ClusterLogs stays in this file:
      // as a CRD, several would be tried in random order, and the catch-all note below could shadow a task's.
      enableCRDs: ['Logs'],
      // `kubectl top`: metrics-server built with the rest, and its API objects from a local kustomization
      // (kwokctl's default is to download metrics-server's release manifest).
      enableMetricsServer: true,
      metricsServerBinary: bin['metrics-server'],
      metricsServerManifests: [metricsServerManifestDir(sandboxPaths().root)],
    },
    // No node leases: a restarted kwok controller (new identity) would otherwise wait for its predecessor's
    // leases to expire (kwokctl makes them 200 s) before simulating pods again. Node health is reported by
    // the node-heartbeat stage instead. The last flag wins, so this overrides kwokctl's own value.
    componentsPatches: [
      { name: 'kwok-controller', extraArgs: [{ key: 'node-lease-duration-seconds', value: '0' }] },
      // Reach nodes (for logs, exec) at their loopback InternalIP, where the kwok controller answers, never by
      // hostname: resolving one would send a DNS query off the machine.
      { name: 'kube-apiserver', extraArgs: [{ key: 'kubelet-preferred-address-types', value: 'InternalIP' }] },
      // An exam sets 16 tasks up at once: let the controllers work on more than 5 Deployments at a time.
      {
        name: 'kube-controller-manager',
        extraArgs: [
          { key: 'concurrent-deployment-syncs', value: '16' },
          { key: 'concurrent-replicaset-syncs', value: '16' },
          { key: 'concurrent-job-syncs', value: '16' },
        ],
      },
      { name: 'metrics-server', extraArgs: METRICS_SERVER_ARGS },
    ],
  };
  const kwok = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    options: {
      // Pod and node addresses on loopback: nothing the sandbox does can dial another machine, even if
      // something (an apiserver proxy, `kubectl logs`) tries to reach a pod or a node.
      cidr: '239.64.0.0/16',
      nodeIP: '127.0.0.1',
      // A KwokConfiguration given in a file is not defaulted; these are kwok's own defaults.
      nodeLeaseParallelism: 2,
      podPlayStageParallelism: 16,
      nodePlayStageParallelism: 2,
      podsOnNodeSyncParallelism: 1,
      // Serves `kubectl logs` from the ClusterLogs below; exec stays unconfigured (kwok would run it on this host).
      enableDebuggingHandlers: true,
    },
  };
  // Containers do not run, so there are no logs: say so, instead of an error from an unreachable kubelet.
  const logs = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterLogs',
    metadata: { name: 'no-logs' },
    spec: { selector: {}, logs: [{ containers: [], logsFile: noLogsFile(), follow: false }] },
  };
  return [stringify(kwokctl), stringify(kwok), stringify(logs), behaviourYaml()].join('---\n');
}

/**
 * How nodes and pods behave: the stages, and the resource usage pods report. Changed in place on a running
 * sandbox (kwok reads them at start), unlike the rest of the configuration.
 */
export const BEHAVIOUR_KINDS = ['Stage', 'ClusterResourceUsage', 'Metric'];
export const behaviourYaml = (): string => [stringify(metricsResource()), stringify(clusterResourceUsage()), stagesYaml()].join('---\n');

export const noLogsFile = () => join(sandboxPaths().root, 'no-logs.txt');
/** In the CRI log format kwok reads: `<time> stdout F <line>`. */
export const NO_LOGS = [
  'ckad-lab sandbox: containers are simulated (KWOK) and do not run, so they write no logs.',
  'Only containers a task gives log lines print them; practise reading your own app\'s logs on a real cluster.',
]
  .map((line) => `1970-01-01T00:00:00.000000000Z stdout F ${line}\n`)
  .join('');

/**
 * kwokctl keeps its own copy of the configuration, which the kwok controller reads: swap in the current stages
 * and resource usage.
 */
export async function replaceBehaviour(clusterDir: string): Promise<void> {
  const file = join(clusterDir, 'kwok.yaml');
  const kept = parseAllDocuments(await readFile(file, 'utf8'))
    .map((d) => d.toJS() as { kind?: string })
    .filter((d) => !BEHAVIOUR_KINDS.includes(d.kind as string))
    .map((d) => stringify(d));
  await writeFile(file, [...kept, behaviourYaml()].join('---\n'));
}

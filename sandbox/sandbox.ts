// The sandbox: a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) with KWOK
// simulating nodes and pods, and metrics-server for `kubectl top`, run by `kwokctl --runtime binary`; beside it
// the lab's Helm chart repository. No container runtime, every port on 127.0.0.1, state, kubeconfig and Helm
// home under the lab's state directory (~/.kube/config and ~/.config/helm are never touched).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { ensureBuilt, ensureToolbox, userBinaries, type BinaryPaths, type BuildProgress } from './build.ts';
import { chartRepoStatus, ensureChartRepo, stopChartRepo } from './chart-repo.ts';
import { removeOrphanClusterObjects } from './cluster-objects.ts';
import { UserError } from './errors.ts';
import { CommandFailed, runCommand } from './exec.ts';
import { protectPrivateFiles } from './file-modes.ts';
import { helmEnv } from './helm.ts';
import { ApiError, connect, MANAGED_SELECTOR, type Kube } from './kube.ts';
import { CLUSTER_NAME, sandboxPaths } from './paths.ts';
export { CLUSTER_NAME, sandboxPaths } from './paths.ts';
import { clusterResourceUsage, METRICS_SERVER_ARGS, metricsServerManifest, metricsServerManifestDir, nodeMetricsAnnotation } from './metrics.ts';
import { poll } from './poll.ts';
import { hasExited, isOurs, processesMentioning, readPidFile, stopPids } from './process.ts';
import { stagesYaml } from './stages.ts';
import { VERSIONS, type BinaryName } from './versions.ts';

/**
 * Bumped when a sandbox made by an older ckad-lab cannot simply be restarted (kwokctl fixes component flags
 * at creation). Stage changes alone are applied in place.
 */
const SANDBOX_FORMAT = '6';
/**
 * Older formats that still run, without what they lack: a sandbox made before metrics-server keeps its objects
 * and works, and says how to get `kubectl top`.
 */
const LACKING: Record<string, { components: readonly string[]; note: string }> = {
  '5': {
    components: ['metrics-server'],
    note: 'This sandbox was made before `kubectl top` was simulated (no metrics-server). Recreate it to get it (its objects are lost; exam history is kept):  ckad-lab sandbox destroy && ckad-lab sandbox up',
  },
};
export const NODE_NAMES = ['node01', 'node02'] as const;
/** The processes kwokctl runs. */
const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller', 'metrics-server'] as const;

export type SandboxProgress = { step: string; build?: BuildProgress };
export type ComponentStatus = { name: string; pid: number | undefined; alive: boolean };
export type SandboxStatus = {
  state: 'absent' | 'stopped' | 'degraded' | 'running';
  kubeconfig: string;
  context: string;
  server: string | undefined;
  components: ComponentStatus[];
  apiReady: boolean;
  kubernetesVersion: string;
  /** What the user should know about this sandbox (e.g. made by an older ckad-lab, lacking something). */
  notes: string[];
  /** The `lab` Helm repository: our process beside the cluster (`components` are kwokctl's). */
  chartRepository: ComponentStatus & { url: string | undefined };
};

/** The binaries to run: the user's own (CKAD_LAB_BIN_DIR / config.yaml), else built once from Go modules. */
export async function resolveBinaries(configured: Partial<Record<BinaryName, string>>, onProgress: (p: SandboxProgress) => void): Promise<BinaryPaths> {
  const onBuild = (build: BuildProgress) => onProgress({ step: 'build', build });
  const user = await userBinaries(configured);
  return user ? await ensureToolbox(user, onBuild) : await ensureBuilt(onBuild);
}

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
const BEHAVIOUR_KINDS = ['Stage', 'ClusterResourceUsage'];
const behaviourYaml = (): string => [stringify(clusterResourceUsage()), stagesYaml()].join('---\n');

const noLogsFile = () => join(sandboxPaths().root, 'no-logs.txt');
/** In the CRI log format kwok reads: `<time> stdout F <line>`. */
const NO_LOGS = [
  'ckad-lab sandbox: containers are simulated (KWOK) and do not run, so they write no logs.',
  'Only containers a task gives log lines print them; practise reading your own app\'s logs on a real cluster.',
]
  .map((line) => `1970-01-01T00:00:00.000000000Z stdout F ${line}\n`)
  .join('');

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** Starts the sandbox, creating it if needed, repairing it if half-dead. Returns fast when it is running. */
export async function sandboxUp(opts: { binaries: BinaryPaths; onProgress?: (p: SandboxProgress) => void }): Promise<SandboxStatus> {
  const progress = opts.onProgress ?? (() => {});
  const paths = sandboxPaths();
  const config = kwokConfig(opts.binaries);
  const stages = hash(behaviourYaml());
  let status = await sandboxStatus();
  if (status.state !== 'absent') {
    const format = await sandboxFormat();
    if (format !== SANDBOX_FORMAT && !LACKING[format]) {
      throw new UserError(`This sandbox was made by an older ckad-lab and cannot be restarted as it is.`, {
        hint: 'Recreate it (its objects are lost; exam history is kept):  ckad-lab sandbox destroy && ckad-lab sandbox up',
      });
    }
  }
  const stagesChanged = status.state !== 'absent' && (await readFile(paths.stagesHash, 'utf8').catch(() => '')).trim() !== stages;
  if (status.state === 'running' && !stagesChanged) return status;
  if (clusterRunning(status) && !stagesChanged) {
    // Only the chart repository is down: bring it back without touching the cluster.
    progress({ step: 'starting the chart repository' });
    await ensureChartRepo(opts.binaries.helm);
    return requireRunning(await sandboxStatus());
  }

  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  await writeFile(noLogsFile(), NO_LOGS);
  const manifestDir = metricsServerManifestDir(paths.root);
  await mkdir(manifestDir, { recursive: true });
  for (const [name, content] of Object.entries(metricsServerManifest())) await writeFile(join(manifestDir, name), content);
  let startedAt: number | undefined;
  if (status.state === 'absent') {
    progress({ step: 'creating the cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok)' });
    const configFile = join(paths.root, 'kwok-config.yaml');
    await writeFile(configFile, config);
    await kwokctl(opts.binaries.kwokctl, ['create', 'cluster', '--name', CLUSTER_NAME, '--config', configFile, '--kubeconfig', paths.kubeconfig, '--wait', '120s']);
    await writeFile(paths.format, SANDBOX_FORMAT + '\n');
  } else {
    progress({ step: status.state === 'stopped' ? 'starting the stopped cluster' : stagesChanged ? 'restarting with the new node and pod behaviour' : 'repairing the cluster (some components were down)' });
    if (stagesChanged) await replaceStages(paths.clusterDir);
    await stopProcesses(paths.clusterDir);
    startedAt = Date.now();
    await kwokctl(opts.binaries.kwokctl, ['start', 'cluster', '--name', CLUSTER_NAME, '--wait', '120s']);
  }
  requireRunning(await waitUntilRunning(60_000), { clusterOnly: true });
  await protectPrivateFiles(paths.root);
  const kube = connect({ sandboxKubeconfig: paths.kubeconfig });
  if (startedAt) await deleteLeasesOfStoppedLeaders(kube, startedAt);
  await writeFile(paths.stagesHash, stages + '\n');

  progress({ step: 'registering nodes and starting the chart repository' });
  await Promise.all([ensureNodes(kube), ensureChartRepo(opts.binaries.helm)]);
  return requireRunning(await sandboxStatus());
}

/** Every cluster process alive and the API ready (the chart repository aside). */
const clusterRunning = (status: SandboxStatus): boolean =>
  status.apiReady && status.components.every((c) => c.alive);

/**
 * kwokctl's `--wait` only logs a warning when the cluster is not ready in time (and exits 0), and its check is
 * /healthz, not /readyz: wait for the API ourselves. A component that has exited stays down (kwokctl
 * supervises nothing), so that fails at once.
 */
async function waitUntilRunning(timeoutMs: number): Promise<SandboxStatus> {
  let last: SandboxStatus | undefined;
  const settled = await poll(
    async () => {
      last = await sandboxStatus();
      return clusterRunning(last) || last.components.some((c) => !c.alive) ? last : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
  return settled ?? (last as SandboxStatus);
}

/**
 * The controller manager keeps its leader lease when it stops (the scheduler gives its up, unless it was
 * killed), and its successor waits out the whole lease, 15 s from when it first reads it, before any controller
 * runs: Deployments got no pods for 15 s after every restart. A lease last renewed before the components were
 * started belongs to a process that is gone; without it the new one takes over at its next try (2 s).
 */
async function deleteLeasesOfStoppedLeaders(kube: Kube, startedAt: number): Promise<void> {
  for (const name of ['kube-controller-manager', 'kube-scheduler']) {
    const lease = await kube.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'kube-system', name });
    const renewed = Date.parse((lease?.spec as { renewTime?: string } | undefined)?.renewTime ?? '');
    if (!lease || !(renewed < startedAt)) continue;
    // Only that very version: should the new leader have taken the lease meanwhile, the delete fails (409).
    const options = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: lease.metadata?.resourceVersion } };
    await kube.raw('DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, options).catch((error: unknown) => {
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw kube.explain(error, `delete the stale ${name} lease`);
    });
  }
}

function requireRunning(status: SandboxStatus, opts: { clusterOnly?: boolean } = {}): SandboxStatus {
  if (status.state === 'running' || (opts.clusterOnly && clusterRunning(status))) return status;
  const dead = status.components.filter((c) => !c.alive).map((c) => c.name);
  if (!opts.clusterOnly && clusterRunning(status) && !status.chartRepository.alive) dead.push('the chart repository');
  const portsTaken = dead.map(portTaken).filter(Boolean);
  throw new UserError(`The sandbox did not come up: ${dead.length ? `${dead.join(', ')} not running` : 'the API server is not ready'}.${portsTaken.length ? `\n  ${portsTaken.join('\n  ')}` : ''}`, {
    hint: portsTaken.length
      ? 'kwokctl chose its ports when the sandbox was created; while it was stopped, another program took one. Stop that program, or recreate the sandbox (new ports; its objects are lost):  ckad-lab sandbox destroy && ckad-lab sandbox up'
      : `Logs are in ${join(sandboxPaths().clusterDir, 'logs')}. \`ckad-lab sandbox up\` again repairs a half-dead sandbox; \`ckad-lab sandbox destroy\` starts from scratch.`,
  });
}

/** A component that died because its port was taken says so in its log's last lines. */
function portTaken(component: string): string | undefined {
  let log = '';
  try {
    log = readFileSync(join(sandboxPaths().clusterDir, 'logs', `${component}.log`), 'utf8').slice(-4000);
  } catch {
    return undefined;
  }
  const address = /listen tcp ([\d.]+:\d+): bind: address already in use/.exec(log)?.[1];
  return address ? `${component}: its address ${address} is in use by another program (see \`ss -ltnp | grep ${address}\`).` : undefined;
}

/** kwokctl keeps its own copy of the configuration, which the kwok controller reads: swap in the current stages. */
async function replaceStages(clusterDir: string): Promise<void> {
  const file = join(clusterDir, 'kwok.yaml');
  const kept = parseAllDocuments(await readFile(file, 'utf8'))
    .map((d) => d.toJS() as { kind?: string })
    .filter((d) => !BEHAVIOUR_KINDS.includes(d.kind as string))
    .map((d) => stringify(d));
  await writeFile(file, [...kept, behaviourYaml()].join('---\n'));
}

async function ensureNodes(kube: Kube): Promise<void> {
  for (const name of NODE_NAMES) {
    if (await kube.get({ apiVersion: 'v1', kind: 'Node', name })) continue;
    await kube.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', ...nodeMetricsAnnotation(name) },
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/worker': '' },
      },
    });
  }
  let ready = 0;
  const allReady = await poll(
    async () => {
      const nodes = await kube.list({ apiVersion: 'v1', kind: 'Node' });
      ready = nodes.filter((n) => ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
      return ready >= NODE_NAMES.length ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  if (!allReady) throw new UserError(`Sandbox nodes did not become Ready within 30 s (${ready}/${NODE_NAMES.length}).`, { hint: `See ${join(sandboxPaths().clusterDir, 'logs', 'kwok-controller.log')}.` });
}

/** The format of the sandbox on disk (1: made before formats were recorded). */
async function sandboxFormat(): Promise<string> {
  return (await readFile(sandboxPaths().format, 'utf8').catch(() => '1')).trim();
}

export async function sandboxStatus(): Promise<SandboxStatus> {
  const paths = sandboxPaths();
  const base = { kubeconfig: paths.kubeconfig, context: `kwok-${CLUSTER_NAME}`, kubernetesVersion: VERSIONS.kubernetes };
  if (!existsSync(paths.clusterDir) || !existsSync(paths.kubeconfig)) {
    return { ...base, state: 'absent', server: undefined, components: [], apiReady: false, chartRepository: { name: 'chart-repo', pid: undefined, alive: false, url: undefined }, notes: [] };
  }
  const components: ComponentStatus[] = [];
  const lacking = LACKING[await sandboxFormat()];
  for (const name of COMPONENTS.filter((c) => !lacking?.components.includes(c))) {
    const pid = await readPidFile(join(paths.clusterDir, 'pids', `${name}.pid`));
    components.push({ name, pid, alive: await isOurs(pid, paths.clusterDir) });
  }
  const repo = await chartRepoStatus();
  const kc = new KubeConfig();
  kc.loadFromFile(paths.kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  const apiReady = components.find((c) => c.name === 'kube-apiserver')?.alive ? await readyz(kc) : false;
  // Running: the cluster and the chart repository; stopped: nothing left of either.
  const alive = [...components, repo].filter((c) => c.alive).length;
  const state = alive === 0 ? 'stopped' : alive === components.length + 1 && apiReady ? 'running' : 'degraded';
  return { ...base, state, server, components, apiReady, chartRepository: { name: 'chart-repo', ...repo }, notes: lacking ? [lacking.note] : [] };
}

function readyz(kc: KubeConfig): Promise<boolean> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return Promise.resolve(false);
  return new Promise((resolve) => {
    const options: Record<string, unknown> = { timeout: 2000 };
    kc.applyToHTTPSOptions(options as never)
      .then(() => {
        const req = request(`${server}/readyz`, options, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => {
          req.destroy();
          resolve(false);
        });
        req.end();
      })
      .catch(() => resolve(false));
  });
}

/**
 * Stops every process started from this cluster's directory (pid files can be stale or missing) and returns
 * once they have exited, with their pid files removed, so that `kwokctl start` starts every component afresh.
 */
async function stopProcesses(clusterDir: string): Promise<void> {
  const processes = await processesMentioning(clusterDir);
  // Clients first, then the API server, then etcd. Stopped all at once, the API server hangs removing itself
  // from the `kubernetes` endpoints in a closing etcd, and etcd waits for the API server's watches to end:
  // both sat out the whole grace period and were killed.
  const binDir = join(clusterDir, 'bin') + '/';
  const stage = (args: string) => {
    const binary = args.startsWith(binDir) ? args.slice(binDir.length).split(/\s/)[0] : undefined;
    return binary === 'etcd' ? 2 : binary === 'kube-apiserver' ? 1 : 0;
  };
  for (const current of [0, 1, 2]) {
    const left = await stopPids(processes.filter((p) => stage(p.args) === current).map((p) => p.pid));
    if (left.length > 0) {
      throw new UserError(`Could not stop the sandbox: ${left.filter((pid) => !hasExited(pid)).join(', ')} still running 15 s after SIGTERM and SIGKILL.`, {
        hint: `See \`ps -o pid,stat,args -p PID\`; \`ckad-lab sandbox up\` tries again once they are gone.`,
      });
    }
  }
  // kwokctl skips a component whose pid file names a process that answers signal 0, and an exited process
  // nobody has reaped yet (a zombie) still does: kwokctl's children are reparented to init, which may reap
  // late (seconds, in a VM whose init polls) or never (a container without one). A reused pid would be
  // mistaken the same way. kwokctl's own `stop` removes these files too.
  await Promise.all(COMPONENTS.map((name) => rm(join(clusterDir, 'pids', `${name}.pid`), { force: true })));
}

/** Stops the sandbox; its objects are kept and come back with `up`. */
export async function sandboxDown(): Promise<void> {
  const paths = sandboxPaths();
  await stopChartRepo();
  if (!existsSync(paths.clusterDir)) return;
  await stopProcesses(paths.clusterDir);
}

/** Stops the sandbox and deletes it, objects and all. */
export async function sandboxDestroy(): Promise<void> {
  const paths = sandboxPaths();
  await stopChartRepo();
  await stopProcesses(paths.clusterDir);
  await rm(paths.root, { recursive: true, force: true });
}

/**
 * Deletes the namespaces ckad-lab created (labelled app.kubernetes.io/managed-by=ckad-lab), and nothing else,
 * then waits until they are gone so the next setup can reuse their names.
 */
export async function resetNamespaces(kube: Kube, opts: { selector?: string; timeoutMs?: number } = {}): Promise<string[]> {
  kube.assertMayMutate('delete ckad-lab namespaces');
  const selector = opts.selector ? `${MANAGED_SELECTOR},${opts.selector}` : MANAGED_SELECTOR;
  const namespaces = (await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: selector })).map((n) => n.metadata?.name as string);
  await removeNamespaces(kube, namespaces, opts.timeoutMs);
  // With them go the cluster-scoped objects of their tasks (labelled like them; sandbox/cluster-objects.ts).
  await removeOrphanClusterObjects(kube, opts.timeoutMs);
  return namespaces;
}

/**
 * Removes ckad-lab namespaces and returns once they are gone, so their names can be used again: at once on the
 * sandbox (purged), through the namespace controller elsewhere.
 */
export async function removeNamespaces(kube: Kube, names: readonly string[], timeoutMs = 60_000): Promise<void> {
  if (kube.ownedBySandbox) {
    await Promise.all(names.map((n) => kube.purgeManagedNamespace(n, timeoutMs)));
    return;
  }
  await Promise.all(names.map((n) => kube.deleteManagedNamespace(n)));
  await waitForNamespacesGone(kube, names, timeoutMs);
}

export async function waitForNamespacesGone(kube: Kube, names: readonly string[], timeoutMs: number): Promise<void> {
  let remaining = [...names];
  const gone = await poll(
    async () => {
      const present = await Promise.all(remaining.map(async (n) => ((await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: n })) ? n : undefined)));
      remaining = present.filter((n): n is string => n !== undefined);
      return remaining.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
  if (!gone) throw new UserError(`Namespaces still terminating after ${timeoutMs / 1000} s: ${remaining.join(', ')}.`, { hint: 'Check `kubectl get ns` and what is left inside them (`kubectl api-resources --verbs=list --namespaced -o name | xargs -n1 kubectl get -n NS`).' });
}

/** The environment that points kubectl and helm at the sandbox, as variables (PATH: the directories to prepend). */
export function sandboxEnvVars(binaries: BinaryPaths): { KUBECONFIG: string; pathDirs: string[] } & ReturnType<typeof helmEnv> {
  const pathDirs = [...new Set([dirname(binaries.kubectl), dirname(binaries.helm)])];
  return { KUBECONFIG: sandboxPaths().kubeconfig, ...helmEnv(), pathDirs };
}

/**
 * Shell lines that point kubectl and helm at the sandbox: the matching v1.35 kubectl and helm first on PATH,
 * Helm's config, cache and data in the sandbox (its `lab` repository added there).
 */
export function sandboxEnv(binaries: BinaryPaths): string {
  const { pathDirs, ...vars } = sandboxEnvVars(binaries);
  const exports = Object.entries(vars).map(([name, value]) => `export ${name}=${shellQuote(value)}\n`);
  return `${exports.join('')}export PATH=${pathDirs.map(shellQuote).join(':')}:"$PATH"\n`;
}

export const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

async function kwokctl(kwokctlBinary: string, args: string[]): Promise<void> {
  const paths = sandboxPaths();
  await mkdir(paths.kwokWorkdir, { recursive: true });
  await capture(kwokctlBinary, args, { KWOK_WORKDIR: paths.kwokWorkdir });
}

/** Runs kwokctl (or ps); a failure shows kwokctl's last log messages, decoded from its JSON lines. */
async function capture(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    return await runCommand(cmd, args, { env });
  } catch (error) {
    if (!(error instanceof CommandFailed)) throw error;
    const messages = error.stderr
      .split('\n')
      .map((l) => {
        try {
          const j = JSON.parse(l) as { msg?: string; err?: string };
          return [j.msg, j.err].filter(Boolean).join(': ');
        } catch {
          return l;
        }
      })
      .filter(Boolean)
      .slice(-8);
    throw new UserError(`\`${cmd.split('/').pop()} ${args.join(' ')}\` failed (exit ${error.exitCode}):\n  ${messages.join('\n  ')}`, { hint: `Logs: ${join(sandboxPaths().clusterDir, 'logs')}` });
  }
}

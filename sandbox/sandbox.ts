// The sandbox: a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) with KWOK
// simulating nodes and pods, and metrics-server for `kubectl top`, run by `kwokctl --runtime binary`; beside it
// the lab's Helm chart repository. No container runtime, every port on 127.0.0.1, state, kubeconfig and Helm
// home under the lab's state directory (~/.kube/config and ~/.config/helm are never touched).
//
// This file is its lifecycle (up, repair, down, destroy), status and `sandbox env`; the kwokctl configuration is in
// kwok-config.ts, the cluster's processes in cluster-processes.ts, its nodes in nodes.ts, namespace clean-up in namespaces.ts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureBuilt, ensureToolbox, userBinaries, type BinaryPaths, type BuildProgress } from './build.ts';
import { chartRepoStatus, ensureChartRepo, stopChartRepo } from './chart-repo.ts';
import { COMPONENTS, componentStatuses, portTaken, stopClusterProcesses, type ComponentStatus } from './cluster-processes.ts';
import { UserError } from './errors.ts';
import { CommandFailed, runCommand } from './exec.ts';
import { protectPrivateFiles } from './file-modes.ts';
import { acquirePidLock } from './process.ts';
import { helmEnv } from './helm.ts';
import { ApiError, connect, type Kube } from './kube.ts';
import { ApiTransport } from './transport.ts';
import { behaviourYaml, kwokConfig, NO_LOGS, noLogsFile, replaceBehaviour } from './kwok-config.ts';
import { metricsServerManifest, metricsServerManifestDir } from './metrics.ts';
import { ensureNodes } from './nodes.ts';
import { CLUSTER_NAME, sandboxPaths } from './paths.ts';
export { CLUSTER_NAME, sandboxPaths } from './paths.ts';
import { poll } from '../graders/poll.ts';
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
export { NODE_NAMES } from './nodes.ts';

export type SandboxProgress = { step: string; build?: BuildProgress };
export type { ComponentStatus } from './cluster-processes.ts';
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

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Starts the sandbox, creating it if needed, repairing it if half-dead. Returns fast when it is running. One
 * process at a time (a lock under the state directory): another `up` (a second terminal, an exam starting
 * while `sandbox up` runs) waits for it, then finds it running.
 */
export async function sandboxUp(opts: { binaries: BinaryPaths; onProgress?: (p: SandboxProgress) => void }): Promise<SandboxStatus> {
  const progress = opts.onProgress ?? (() => {});
  const release = await acquirePidLock(join(sandboxPaths().root, 'up.lock'), (owner) => progress({ step: `waiting for another ckad-lab (pid ${owner}) that is starting the sandbox` }), 200);
  try {
    return await bringUp(opts.binaries, progress);
  } finally {
    await release();
  }
}

async function bringUp(binaries: BinaryPaths, progress: (p: SandboxProgress) => void): Promise<SandboxStatus> {
  const paths = sandboxPaths();
  const config = kwokConfig(binaries);
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
    await ensureChartRepo(binaries.helm);
    return requireRunning(await sandboxStatus());
  }

  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  await writeFile(noLogsFile(), NO_LOGS);
  const manifestDir = metricsServerManifestDir(paths.root);
  await mkdir(manifestDir, { recursive: true });
  for (const [name, content] of Object.entries(metricsServerManifest())) await writeFile(join(manifestDir, name), content);
  let startedAt: number | undefined;
  if (status.state === 'absent') {
    const configFile = join(paths.root, 'kwok-config.yaml');
    await writeFile(configFile, config);
    const create = async () => {
      await kwokctl(binaries.kwokctl, ['create', 'cluster', '--name', CLUSTER_NAME, '--config', configFile, '--kubeconfig', paths.kubeconfig, '--wait', '120s']);
      requireRunning(await waitUntilRunning(60_000), { clusterOnly: true });
    };
    progress({ step: 'creating the cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok)' });
    try {
      await create();
    } catch (error) {
      // kwokctl picks free ports when it writes the cluster's configuration and starts the components later:
      // another program (another sandbox being created) can take a port in between, and a component dies of
      // it. A fresh creation picks new ports; a second failure is reported as it is.
      if (!(error instanceof UserError)) throw error;
      progress({ step: `the new cluster did not come up (${error.message.split('\n')[0]}); creating it again with new ports` });
      await stopClusterProcesses(paths.clusterDir);
      await rm(paths.clusterDir, { recursive: true, force: true });
      await rm(paths.kubeconfig, { force: true });
      await create();
    }
    await writeFile(paths.format, SANDBOX_FORMAT + '\n');
  } else {
    progress({ step: status.state === 'stopped' ? 'starting the stopped cluster' : stagesChanged ? 'restarting with the new node and pod behaviour' : 'repairing the cluster (some components were down)' });
    if (stagesChanged) await replaceBehaviour(paths.clusterDir);
    await stopClusterProcesses(paths.clusterDir);
    startedAt = Date.now();
    await kwokctl(binaries.kwokctl, ['start', 'cluster', '--name', CLUSTER_NAME, '--wait', '120s']);
    requireRunning(await waitUntilRunning(60_000), { clusterOnly: true });
  }
  await protectPrivateFiles(paths.root);
  const kube = connect({ sandboxKubeconfig: paths.kubeconfig });
  if (startedAt) await deleteLeasesOfStoppedLeaders(kube, startedAt);
  await writeFile(paths.stagesHash, stages + '\n');

  progress({ step: 'registering nodes and starting the chart repository' });
  await Promise.all([ensureNodes(kube), ensureChartRepo(binaries.helm)]);
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
  const portsTaken = dead.map((c) => portTaken(sandboxPaths().clusterDir, c)).filter(Boolean);
  throw new UserError(`The sandbox did not come up: ${dead.length ? `${dead.join(', ')} not running` : 'the API server is not ready'}.${portsTaken.length ? `\n  ${portsTaken.join('\n  ')}` : ''}`, {
    hint: portsTaken.length
      ? 'kwokctl chose its ports when the sandbox was created; while it was stopped, another program took one. Stop that program, or recreate the sandbox (new ports; its objects are lost):  ckad-lab sandbox destroy && ckad-lab sandbox up'
      : `Logs are in ${join(sandboxPaths().clusterDir, 'logs')}. \`ckad-lab sandbox up\` again repairs a half-dead sandbox; \`ckad-lab sandbox destroy\` starts from scratch.`,
  });
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
  const lacking = LACKING[await sandboxFormat()];
  const components = await componentStatuses(paths.clusterDir, COMPONENTS.filter((c) => !lacking?.components.includes(c)));
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

/** /readyz answers 200 within 2 s, through the one HTTPS client (its body is text, so taken as it comes). */
const readyz = (kc: KubeConfig): Promise<boolean> =>
  new ApiTransport(kc, 2000).send('GET', '/readyz', undefined, 'application/json', 'text/plain').then((a) => a.statusCode === 200, () => false);

/** Stops the sandbox; its objects are kept and come back with `up`. */
export async function sandboxDown(): Promise<void> {
  const paths = sandboxPaths();
  await stopChartRepo();
  if (!existsSync(paths.clusterDir)) return;
  await stopClusterProcesses(paths.clusterDir);
}

/** Stops the sandbox and deletes it, objects and all. */
export async function sandboxDestroy(): Promise<void> {
  const paths = sandboxPaths();
  await stopChartRepo();
  await stopClusterProcesses(paths.clusterDir);
  await rm(paths.root, { recursive: true, force: true });
}

export { removeNamespaces, resetNamespaces, waitForNamespacesGone } from './namespaces.ts';

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

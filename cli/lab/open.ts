// Opening the lab: what every cluster-facing command needs (the config, the cluster, sandbox or --context, the
// binaries, the catalog). Built once per process.
import { dirname } from 'node:path';
import { cachedBinaries, userBinaries, type BinaryPaths } from '../../sandbox/build.ts';
import { UserError } from '../../sandbox/errors.ts';
import { connect, type Kube } from '../../sandbox/kube.ts';
import { workDir } from '../../sandbox/paths.ts';
import { resolveBinaries, sandboxPaths, sandboxUp, type SandboxProgress } from '../../sandbox/sandbox.ts';
import { loadConfig, type Config } from '../config.ts';
import type { RunnerContext } from './runner.ts';
export { catalog, findTasks } from './catalog.ts';

export type ClusterFlags = { context?: string | undefined; 'allow-context'?: string[] | undefined };

/** A connected lab: the config, the cluster (a `Kube`) and what the task runner needs. */
export type LabConnection = {
  config: Config;
  kube: Kube;
  runner: RunnerContext;
};

/** The binaries if they are already there (the user's or the cache's); never builds. */
export async function knownBinaries(config: Config): Promise<BinaryPaths | undefined> {
  return (await userBinaries(config.binaries)) ?? cachedBinaries();
}

/**
 * Connects to the cluster the flags name. For the sandbox (no --context) it first makes sure the sandbox runs,
 * building and starting it if needed, when `ensureSandbox` is set.
 */
export async function openLab(flags: ClusterFlags, opts: { ensureSandbox?: boolean; onProgress?: (p: SandboxProgress) => void } = {}): Promise<LabConnection> {
  const config = loadConfig();
  const allowedContexts = [...config.allowContexts, ...(flags['allow-context'] ?? [])];
  let binaries = await knownBinaries(config);
  if (flags.context === undefined && opts.ensureSandbox) {
    // sandboxUp returns at once on a running sandbox (applying new stages if there are any).
    const onProgress = opts.onProgress ?? (() => {});
    binaries = binaries ?? (await resolveBinaries(config.binaries, onProgress));
    await sandboxUp({ binaries, onProgress });
  }
  const kube = connect({ sandboxKubeconfig: sandboxPaths().kubeconfig, ...(flags.context !== undefined ? { context: flags.context } : {}), allowedContexts });
  return { config, kube, runner: { kube, workRoot: workDir(), ...(binaries ? { kubectlDir: dirname(binaries.kubectl), helmDir: dirname(binaries.helm) } : {}) } };
}

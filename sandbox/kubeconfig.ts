// Which cluster ckad-lab talks to: the sandbox's own kubeconfig, or a context of the user's kubeconfig, loaded
// without client-node's fallback to localhost:8080 and with every problem said as a UserError.
import { existsSync, statSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UserError } from './errors.ts';
import { userKubeconfigPaths } from './paths.ts';

export type Target = {
  /** The sandbox's own kubeconfig: clusters ckad-lab created. */
  sandboxKubeconfig: string;
  /** `--context NAME`: use this context of the user's kubeconfig (KUBECONFIG or ~/.kube/config) instead. */
  context?: string;
  /** Contexts the user explicitly allowed ckad-lab to change (`--allow-context`, config.yaml). */
  allowedContexts?: readonly string[];
};

/** A target's kubeconfig, its current context set, and whether it is the sandbox ckad-lab created. */
export type LoadedTarget = { kc: KubeConfig; ownedBySandbox: boolean; kubeconfigPath: string };

/**
 * Loads the sandbox's kubeconfig, or with `context` that context of the user's kubeconfig. Never falls back to
 * localhost:8080 the way `loadFromDefault()` does when no kubeconfig exists.
 */
export function loadTarget(target: Target): LoadedTarget {
  if (target.context === undefined) {
    if (!existsSync(target.sandboxKubeconfig)) {
      throw new UserError('The sandbox has not been created yet.', { hint: 'Start it with `ckad-lab sandbox up` (or `npm start`), or pass --context NAME to use a cluster of your own.' });
    }
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(target.sandboxKubeconfig);
    } catch (error) {
      throw new UserError(`The sandbox's kubeconfig ${target.sandboxKubeconfig} cannot be read: ${(error as Error).message.split('\n')[0]}`, { hint: 'Repair the sandbox with `ckad-lab sandbox up`.', cause: error });
    }
    return { kc, ownedBySandbox: true, kubeconfigPath: target.sandboxKubeconfig };
  }
  const paths = userKubeconfigPaths();
  const kc = readUserKubeconfig(`--context ${target.context}`, paths);
  if (!kc.getContextObject(target.context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new UserError(`--context ${target.context}: no such context in ${paths.join(delimiter)}.`, { hint: known.length ? `Contexts there: ${known.join(', ')}.` : 'That kubeconfig has no contexts.', exitCode: BAD_INPUT });
  }
  kc.setCurrentContext(target.context);
  return { kc, ownedBySandbox: false, kubeconfigPath: paths.join(delimiter) };
}

/** The exit code of bad input (cli/exit.ts `refused`; sandbox/ does not import cli/). */
const BAD_INPUT = 2;

/**
 * The user's kubeconfig (KUBECONFIG's files merged, like kubectl), or a UserError naming the file that is
 * missing, a directory, or not a kubeconfig. Never falls back to localhost:8080.
 */
export function readUserKubeconfig(what: string, paths: readonly string[]): KubeConfig {
  const fromEnv = process.env.KUBECONFIG ? 'KUBECONFIG' : '~/.kube/config';
  if (paths.length === 0) {
    throw new UserError(`${what}: no kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist).`, { hint: 'Point KUBECONFIG at the kubeconfig that has this context.', exitCode: BAD_INPUT });
  }
  const present = paths.filter((p) => existsSync(p));
  if (present.length === 0) {
    throw new UserError(`${what}: ${paths.join(delimiter)} does not exist (from ${fromEnv}).`, { hint: 'Point KUBECONFIG at the kubeconfig that has this context (kubectl config view shows what kubectl uses).', exitCode: BAD_INPUT });
  }
  // Merged like kubectl: the first file to set a value wins; missing files are skipped, as kubectl skips them.
  let kc: KubeConfig | undefined;
  for (const path of present) {
    if (statSync(path).isDirectory()) throw new UserError(`${what}: ${path} (from ${fromEnv}) is a directory, not a kubeconfig file.`, { hint: 'Point KUBECONFIG at the kubeconfig file itself, e.g. ~/.kube/config.', exitCode: BAD_INPUT });
    const one = new KubeConfig();
    try {
      one.loadFromFile(path);
      if (kc) kc.mergeConfig(one);
    } catch (error) {
      throw new UserError(`${what}: ${path} (from ${fromEnv}) is not a kubeconfig ckad-lab can read: ${(error as Error).message.split('\n')[0]}`, { hint: 'Check it with `kubectl config view`, or point KUBECONFIG at another file.', cause: error, exitCode: BAD_INPUT });
    }
    kc ??= one;
  }
  return kc as KubeConfig;
}

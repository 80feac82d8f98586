// Where ckad-lab keeps things on disk. Each directory can be moved with an environment variable, which is
// also how tests run in temporary directories.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const xdg = (variable: string, fallback: string): string => {
  const value = process.env[variable];
  return value && value.startsWith('/') ? value : join(homedir(), fallback);
};

/** Built binaries and Go build trees; shared by every checkout of ckad-lab for this user. */
export const cacheDir = (): string => process.env.CKAD_LAB_CACHE_DIR ?? join(xdg('XDG_CACHE_HOME', '.cache'), 'ckad-lab');

/** The sandbox cluster, exam sessions and history. */
export const stateDir = (): string => process.env.CKAD_LAB_STATE_DIR ?? join(xdg('XDG_STATE_HOME', '.local/state'), 'ckad-lab');

/** config.yaml: allowed contexts, paths of binaries the user already has. */
export const configDir = (): string => process.env.CKAD_LAB_CONFIG_DIR ?? join(xdg('XDG_CONFIG_HOME', '.config'), 'ckad-lab');

/** Files a task hands the candidate live under here, one directory per task namespace. */
export const workDir = (): string => process.env.CKAD_LAB_WORKDIR ?? join(homedir(), 'ckad-lab');

export const CLUSTER_NAME = 'ckad-lab';

/** Where the sandbox cluster lives (kwokctl's work directory) and its kubeconfig. */
export const sandboxPaths = () => {
  const root = join(stateDir(), 'sandbox');
  return {
    root,
    kwokWorkdir: join(root, 'kwok'),
    clusterDir: join(root, 'kwok', 'clusters', CLUSTER_NAME),
    kubeconfig: join(root, 'kubeconfig'),
    stagesHash: join(root, 'stages.sha256'),
    format: join(root, 'format'),
  };
};

/** The user's kubeconfig files, as kubectl finds them: KUBECONFIG (a path list) or ~/.kube/config. */
export function userKubeconfigPaths(): string[] {
  const env = process.env.KUBECONFIG;
  if (env) return env.split(delimiter).filter(Boolean);
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

// Helm in the sandbox: its config, cache and data live under the sandbox's state directory (so ~/.config/helm
// and the user's own repositories are never touched, and `sandbox destroy` starts Helm afresh too).
import { join } from 'node:path';
import { UserError } from './errors.ts';
import { CommandFailed, runCommand } from './exec.ts';
import { sandboxPaths } from './paths.ts';

export const helmPaths = () => {
  const root = join(sandboxPaths().root, 'helm');
  return { config: join(root, 'config'), cache: join(root, 'cache'), data: join(root, 'data') };
};

/** The variables that point helm at the sandbox's Helm home; `sandbox env` exports them. */
export function helmEnv(): Record<'HELM_CONFIG_HOME' | 'HELM_CACHE_HOME' | 'HELM_DATA_HOME', string> {
  const paths = helmPaths();
  return { HELM_CONFIG_HOME: paths.config, HELM_CACHE_HOME: paths.cache, HELM_DATA_HOME: paths.data };
}

/** Runs helm as the sandbox's (Helm home, kubeconfig); a failure says what helm said. */
export async function runHelm(helmBinary: string, args: string[]): Promise<string> {
  try {
    return await runCommand(helmBinary, args, { env: { ...helmEnv(), KUBECONFIG: sandboxPaths().kubeconfig, HELM_NO_PLUGINS: '1' } });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`helm is not at ${helmBinary}.`, { hint: '`ckad-lab sandbox build` builds it (once, from Go modules), or point `binaries: helm:` in config.yaml (or CKAD_LAB_BIN_DIR) at one.' });
    }
    if (!(error instanceof CommandFailed)) throw error;
    throw new UserError(`\`helm ${args.join(' ')}\` failed (exit ${error.exitCode}):\n  ${error.stderr.trim().split('\n').slice(-8).join('\n  ')}`, {
      hint: '`ckad-lab sandbox up` prepares the chart repository again; `ckad-lab sandbox destroy && ckad-lab sandbox up` starts from scratch.',
    });
  }
}

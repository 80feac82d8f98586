// The processes kwokctl runs for the cluster: which they are, whether they are alive, stopping them all.
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from './errors.ts';
import { hasExited, isOurs, processesMentioning, readPidFile, stopPids } from './process.ts';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller', 'metrics-server'] as const;
export type ComponentStatus = { name: string; pid: number | undefined; alive: boolean };

/** Each component's pid (from kwokctl's pid files) and whether that process is alive and this cluster's. */
export async function componentStatuses(clusterDir: string, names: readonly string[]): Promise<ComponentStatus[]> {
  return Promise.all(
    names.map(async (name) => {
      const pid = await readPidFile(join(clusterDir, 'pids', `${name}.pid`));
      return { name, pid, alive: await isOurs(pid, clusterDir) };
    }),
  );
}

/**
 * Stops every process started from this cluster's directory (pid files can be stale or missing) and returns
 * once they have exited, with their pid files removed, so that `kwokctl start` starts every component afresh.
 */
export async function stopClusterProcesses(clusterDir: string): Promise<void> {
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

/** A component that died because its port was taken says so in its log's last lines. */
export function portTaken(clusterDir: string, component: string): string | undefined {
  let log = '';
  try {
    log = readFileSync(join(clusterDir, 'logs', `${component}.log`), 'utf8').slice(-4000);
  } catch {
    return undefined;
  }
  const address = /listen tcp ([\d.]+:\d+): bind: address already in use/.exec(log)?.[1];
  return address ? `${component}: its address ${address} is in use by another program (see \`ss -ltnp | grep ${address}\`).` : undefined;
}


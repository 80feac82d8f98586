// The sandbox's fake nodes (KWOK plays them; node-stages.ts says what their status is): node01 and node02 for
// everyone, and the nodes a class adds on the sandbox so that thirty candidates' Pods fit as one user's do.
import { join } from 'node:path';
import { poll } from '../graders/poll.ts';
import { UserError } from './errors.ts';
import type { Kube } from './kube.ts';
import { nodeMetricsAnnotation } from './metrics.ts';
import { sandboxPaths } from './paths.ts';

export const NODE_NAMES = ['node01', 'node02'] as const;

/** Creates the nodes that are missing (with `labels` besides the usual ones) and waits until all are Ready. */
export async function ensureNodes(kube: Kube, names: readonly string[] = NODE_NAMES, labels: Record<string, string> = {}): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      if (await kube.get({ apiVersion: 'v1', kind: 'Node', name })) return;
      await kube.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', ...nodeMetricsAnnotation(name) },
          labels: { ...labels, 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/worker': '' },
        },
      });
    }),
  );
  const wanted = new Set(names);
  let ready = 0;
  const allReady = await poll(
    async () => {
      const nodes = await kube.list({ apiVersion: 'v1', kind: 'Node' });
      ready = nodes.filter((n) => wanted.has(n.metadata?.name as string) && ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
      return ready >= wanted.size ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, maxIntervalMs: 500 },
  );
  if (!allReady) throw new UserError(`Sandbox nodes did not become Ready within 30 s (${ready}/${wanted.size}).`, { hint: `See ${join(sandboxPaths().clusterDir, 'logs', 'kwok-controller.log')}.` });
}

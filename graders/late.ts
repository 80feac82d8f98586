// Changes made after an exam ended. An exam whose time ran out while the console was closed is graded when
// the candidate comes back (`ckad-lab resume`), and kubectl kept working in between. The API keeps, per object
// and per field manager, when that manager last changed it (metadata.managedFields[].time), so a change made
// after the end can be seen and shown next to the score; what the cluster looked like at the end cannot be
// rebuilt, and a deletion leaves nothing to see.
import { z } from 'zod';
import { CANDIDATE_KINDS } from './kinds.ts';
import { CouldNotGrade, type ClusterReader } from './reader.ts';

export const LateChange = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  /** The field manager, e.g. kubectl-edit, kubectl-client-side-apply, kubectl-create. */
  manager: z.string(),
  /** Epoch ms, to the second (the API's precision). */
  at: z.number(),
});
export type LateChange = z.infer<typeof LateChange>;

/** Managers that are the cluster itself or ckad-lab's setup: their writes are not the candidate's. */
const SYSTEM_MANAGERS = /^(kube-controller-manager|kube-scheduler|kube-apiserver|kwok.*|kubelet|ckad-lab)$/;

type ManagedField = { manager?: string; time?: string; subresource?: string };

/**
 * Objects in `namespaces` a person changed after `cutoff` (epoch ms), newest change per object and manager.
 * Status writes are the controllers' and are left out. Changes within the second of the cutoff are not
 * counted: the API records times to the second.
 */
export async function changesAfter(reader: ClusterReader, namespaces: readonly string[], cutoff: number, concurrency = 8): Promise<LateChange[]> {
  const after = Math.floor(cutoff / 1000) * 1000 + 1000;
  const queries = namespaces.flatMap((namespace) => CANDIDATE_KINDS.map((k) => ({ ...k, namespace })));
  const found: LateChange[] = [];
  let next = 0;
  const work = async () => {
    for (let q = queries[next++]; q; q = queries[next++]) {
      let objects;
      try {
        objects = await reader.list(q);
      } catch (error) {
        // A kind this cluster does not serve (or may not be listed) has nothing to report.
        if (error instanceof CouldNotGrade) continue;
        throw error;
      }
      for (const object of objects) {
        for (const field of (object.metadata as { managedFields?: ManagedField[] } | undefined)?.managedFields ?? []) {
          const at = field.time ? Date.parse(field.time) : NaN;
          if (!(at >= after) || field.subresource === 'status' || !field.manager || SYSTEM_MANAGERS.test(field.manager)) continue;
          found.push({ kind: q.kind, name: String(object.metadata?.name), namespace: q.namespace, manager: field.manager, at });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, work));
  return found.sort((a, b) => a.at - b.at || a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

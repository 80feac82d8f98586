/*
 * deploymentRevision: what the Deployment's current ReplicaSet is — for rollout and rollback tasks
 * ("roll back to the previous image", "update the image so that it shows up in the rollout history").
 *
 * Which revision was N at setup time cannot be known later (a rollback renumbers it), so this checks the
 * present instead: the ReplicaSet owned by the Deployment whose pod template equals the Deployment's
 * (ignoring the pod-template-hash label, as the deployment controller does) carries
 * `deployment.kubernetes.io/revision`, and its containers run the expected image. A rollback with
 * `kubectl rollout undo` makes the old ReplicaSet current again with a new, higher revision; recreating the
 * Deployment resets it to revision 1 — `revision: {$gte: 3}` tells the two apart.
 *
 * args:
 *   deployment  the Deployment name (in the task's namespace)
 *   container   the container whose image is checked; without it every container must match `image`
 *   image       a string or expectation ({$regex: ...}) for the image
 *   revision    number or expectation over the current ReplicaSet's revision
 * At least one of image and revision. Fails while the controller has not observed the latest spec
 * (status.observedGeneration < metadata.generation): use `eventually: true` right after a rollout.
 */
import { z } from 'zod';
import { MISSING, deepEqual, formatValue, match, type Failure } from '../match.ts';
import type { KubeObject } from '../reader.ts';
import { CountExpect, ObjectExpect, missingObject, parseArgs } from './args.ts';
import type { CustomCheck } from './index.ts';

const REVISION = 'deployment.kubernetes.io/revision';

export const DeploymentRevisionArgs = z
  .strictObject({
    deployment: z.string().min(1),
    container: z.string().min(1).optional(),
    image: z.union([z.string().min(1), ObjectExpect]).optional(),
    revision: CountExpect.optional(),
  })
  .refine((a) => a.image !== undefined || a.revision !== undefined, 'give `image` and/or `revision`: with neither the check asserts nothing');

type Container = { name?: string; image?: string };
type Template = { metadata?: { labels?: Record<string, string> } & Record<string, unknown>; spec?: { containers?: Container[] } } & Record<string, unknown>;

const templateOf = (o: KubeObject): Template | undefined => (o['spec'] as { template?: Template } | undefined)?.template;

/** The template without the pod-template-hash label the controller adds to its ReplicaSets. */
function withoutHash(t: Template | undefined): unknown {
  if (!t?.metadata?.labels) return t;
  const { 'pod-template-hash': _, ...labels } = t.metadata.labels;
  return { ...t, metadata: { ...t.metadata, labels } };
}

function ownedBy(rs: KubeObject, dep: KubeObject): boolean {
  const refs = (rs.metadata?.['ownerReferences'] as { kind?: string; name?: string; uid?: string }[] | undefined) ?? [];
  const uid = dep.metadata?.['uid'];
  return refs.some((r) => r.kind === 'Deployment' && r.name === dep.metadata?.name && (!uid || !r.uid || r.uid === uid));
}

export const deploymentRevision: CustomCheck = async ({ reader, args, namespace }) => {
  const a = parseArgs('deploymentRevision', DeploymentRevisionArgs, args);
  const at = `Deployment/${a.deployment}`;
  const dep = await reader.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: a.deployment });
  if (!dep) return [missingObject('Deployment', a.deployment, namespace)];

  const generation = dep.metadata?.['generation'];
  const observed = (dep['status'] as { observedGeneration?: number } | undefined)?.observedGeneration;
  if (typeof generation === 'number' && !(typeof observed === 'number' && observed >= generation)) {
    return [{
      path: `${at}.status.observedGeneration`,
      expected: `>= ${generation}`,
      actual: formatValue(observed),
      message: `the deployment controller has not processed generation ${generation} yet (observed ${formatValue(observed)})`,
    }];
  }

  const replicaSets = await reader.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace });
  const template = withoutHash(templateOf(dep));
  const current = replicaSets.find((rs) => ownedBy(rs, dep) && deepEqual(withoutHash(templateOf(rs)), template));
  if (!current) {
    return [{
      path: at,
      expected: 'a ReplicaSet with the current pod template',
      actual: '<none>',
      message: `no ReplicaSet owned by ${at} carries its current pod template (rollout not started?)`,
    }];
  }
  const rsAt = `ReplicaSet/${current.metadata?.name ?? ''}`;
  const failures: Failure[] = [];

  if (a.revision !== undefined) {
    const raw = current.metadata?.annotations?.[REVISION];
    const rev = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
    const path = `${rsAt}.metadata.annotations["${REVISION}"]`;
    if (rev === undefined) failures.push({ path, expected: 'a revision number', actual: formatValue(raw), message: `expected a revision number, got ${formatValue(raw)}` });
    else failures.push(...match(a.revision, rev, path));
  }

  if (a.image !== undefined) {
    const containers = templateOf(current)?.spec?.containers ?? [];
    const chosen = a.container === undefined ? containers : containers.filter((c) => c.name === a.container);
    const base = `${rsAt}.spec.template.spec.containers`;
    if (a.container !== undefined && chosen.length === 0) {
      failures.push({ path: `${base}[${a.container}]`, expected: `container ${a.container}`, actual: MISSING, message: `expected a container ${a.container}, got <missing>` });
    }
    const image = typeof a.image === 'string' ? { $image: a.image } : a.image; // any spelling of the image
    for (const c of chosen) failures.push(...match(image, c.image, `${base}[${c.name ?? ''}].image`));
  }
  return failures;
};

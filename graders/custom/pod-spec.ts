// Finding a pod spec and one of its containers in a Pod or in a workload's pod template, for the custom
// checks about containers (containerCommand, volumeMount). Containers are found by name, never by index.
import { z } from 'zod';
import { MISSING, type Failure } from '../match.ts';
import type { ClusterReader, KubeObject } from '../reader.ts';
import { missingObject } from './args.ts';

/** Where each kind keeps its pod spec, as a path prefix for failures and the keys to walk. */
const POD_SPEC_AT = {
  Pod: { apiVersion: 'v1', keys: ['spec'] },
  Deployment: { apiVersion: 'apps/v1', keys: ['spec', 'template', 'spec'] },
  ReplicaSet: { apiVersion: 'apps/v1', keys: ['spec', 'template', 'spec'] },
  StatefulSet: { apiVersion: 'apps/v1', keys: ['spec', 'template', 'spec'] },
  DaemonSet: { apiVersion: 'apps/v1', keys: ['spec', 'template', 'spec'] },
  Job: { apiVersion: 'batch/v1', keys: ['spec', 'template', 'spec'] },
  CronJob: { apiVersion: 'batch/v1', keys: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
} as const;

/** Which container a check is about: the object holding the pod spec and the container's name. */
export const ContainerRef = {
  kind: z.enum(Object.keys(POD_SPEC_AT) as [keyof typeof POD_SPEC_AT, ...(keyof typeof POD_SPEC_AT)[]]).default('Pod'),
  /** The object's name, in the task's namespace. */
  name: z.string().min(1),
  /** The container's name; without it the pod spec must have exactly one container (of that list). */
  container: z.string().min(1).optional(),
  /** Look among initContainers instead of containers. */
  init: z.boolean().default(false),
};
type ContainerRefArgs = { kind: keyof typeof POD_SPEC_AT; name: string; container?: string | undefined; init: boolean };

export type Container = Record<string, unknown> & { name?: string };
export type PodSpec = Record<string, unknown>;
export type FoundContainer = {
  spec: PodSpec;
  container: Container;
  /** Path of the pod spec in the object, e.g. `spec.template.spec`. */
  specPath: string;
  /** Path of the container, e.g. `spec.initContainers[init-html]`. */
  path: string;
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The container `ref` names, or the failures saying why it is not there. */
export async function findContainer(reader: ClusterReader, namespace: string, ref: ContainerRefArgs): Promise<FoundContainer | Failure[]> {
  const at = POD_SPEC_AT[ref.kind];
  const obj: KubeObject | undefined = await reader.get({ apiVersion: at.apiVersion, kind: ref.kind, namespace, name: ref.name });
  if (!obj) return [missingObject(ref.kind, ref.name, namespace)];
  let spec: unknown = obj;
  for (const key of at.keys) spec = isObj(spec) ? spec[key] : undefined;
  const specPath = at.keys.join('.');
  const listKey = ref.init ? 'initContainers' : 'containers';
  const list = (isObj(spec) && Array.isArray(spec[listKey]) ? spec[listKey] : []) as Container[];
  const listPath = `${specPath}.${listKey}`;
  const names = list.map((c) => c.name ?? '?');
  const what = ref.init ? 'init container' : 'container';
  const aWhat = ref.init ? 'an init container' : 'a container';
  if (ref.container !== undefined) {
    const container = list.findLast((c) => c.name === ref.container);
    if (!container) {
      const actual = names.length ? names.join(', ') : MISSING;
      return [{ path: `${listPath}[${ref.container}]`, expected: `${what} ${ref.container}`, actual, message: `expected ${aWhat} named ${ref.container}, got ${names.length ? `only ${actual}` : 'none'}` }];
    }
    return { spec: spec as PodSpec, container, specPath, path: `${listPath}[${ref.container}]` };
  }
  const only = list.length === 1 ? list[0] : undefined;
  if (!only) {
    const actual = names.length ? names.join(', ') : MISSING;
    return [{ path: listPath, expected: `exactly one ${what}`, actual, message: `expected exactly one ${what}, got ${list.length}${names.length ? ` (${actual})` : ''}` }];
  }
  return { spec: spec as PodSpec, container: only, specPath, path: `${listPath}[${only.name ?? 0}]` };
}

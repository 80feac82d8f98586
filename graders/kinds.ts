// Default apiVersion and scope of the built-in kinds tasks talk about, so task files can say `kind: Deployment`
// without `apiVersion: apps/v1`, and grading needs no discovery for them. Any other kind (CRDs and their
// custom resources, rarer built-ins) is found through API discovery at grading time (resolveKind), its
// apiVersion defaulting to the group's preferred version when the task gives none.
import type { ApiResource } from './reader.ts';

type KindInfo = { apiVersion: string; namespaced: boolean };

const KINDS: Readonly<Record<string, KindInfo>> = {
  Pod: { apiVersion: 'v1', namespaced: true },
  Service: { apiVersion: 'v1', namespaced: true },
  ConfigMap: { apiVersion: 'v1', namespaced: true },
  Secret: { apiVersion: 'v1', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', namespaced: true },
  Namespace: { apiVersion: 'v1', namespaced: false },
  Node: { apiVersion: 'v1', namespaced: false },
  ResourceQuota: { apiVersion: 'v1', namespaced: true },
  LimitRange: { apiVersion: 'v1', namespaced: true },
  PersistentVolumeClaim: { apiVersion: 'v1', namespaced: true },
  PersistentVolume: { apiVersion: 'v1', namespaced: false },
  Endpoints: { apiVersion: 'v1', namespaced: true },
  Event: { apiVersion: 'v1', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', namespaced: true },
  Job: { apiVersion: 'batch/v1', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', namespaced: true },
  Ingress: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
  IngressClass: { apiVersion: 'networking.k8s.io/v1', namespaced: false },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  HorizontalPodAutoscaler: { apiVersion: 'autoscaling/v2', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', namespaced: true },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', namespaced: false },
  PriorityClass: { apiVersion: 'scheduling.k8s.io/v1', namespaced: false },
  RuntimeClass: { apiVersion: 'node.k8s.io/v1', namespaced: false },
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', namespaced: false },
  ControllerRevision: { apiVersion: 'apps/v1', namespaced: true },
  ReplicationController: { apiVersion: 'v1', namespaced: true },
  PodTemplate: { apiVersion: 'v1', namespaced: true },
  Lease: { apiVersion: 'coordination.k8s.io/v1', namespaced: true },
  ValidatingWebhookConfiguration: { apiVersion: 'admissionregistration.k8s.io/v1', namespaced: false },
  MutatingWebhookConfiguration: { apiVersion: 'admissionregistration.k8s.io/v1', namespaced: false },
  ValidatingAdmissionPolicy: { apiVersion: 'admissionregistration.k8s.io/v1', namespaced: false },
  ValidatingAdmissionPolicyBinding: { apiVersion: 'admissionregistration.k8s.io/v1', namespaced: false },
};

/** Kinds with a default apiVersion, for lint messages and docs. */
export const KNOWN_KINDS: readonly string[] = Object.keys(KINDS);

const builtIn = (kind: string): KindInfo | undefined => (Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined);
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');
/** API groups of the built-in kinds: an apiVersion in one of these names a built-in kind, never a CRD's. */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(Object.values(KINDS).map((k) => groupOf(k.apiVersion)));

/**
 * A likely misspelling of a built-in kind (`deployment`, `Deployments`, `Deploymnet`), for "did you mean".
 * Only when the reference gives no apiVersion, or one of a built-in group: a CRD's kind may be anything.
 */
export function misspeltKind(kind: string, apiVersion?: string): string | undefined {
  if (builtIn(kind) || (apiVersion !== undefined && !BUILT_IN_GROUPS.has(groupOf(apiVersion)))) return undefined;
  const lower = kind.toLowerCase();
  const plural = (k: string): string => (k.endsWith('s') ? `${k}es` : k.endsWith('y') ? `${k.slice(0, -1)}ies` : `${k}s`).toLowerCase();
  const exact = KNOWN_KINDS.find((k) => k.toLowerCase() === lower || plural(k) === lower);
  if (exact) return exact;
  const limit = kind.length >= 8 ? 2 : 1;
  return KNOWN_KINDS.find((k) => Math.abs(k.length - kind.length) <= limit && editDistance(k.toLowerCase(), lower) <= limit);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Authoring problems of a kind reference that can be seen without a cluster: misspelt built-in kinds. */
export function kindProblems(kind: string, apiVersion?: string): string[] {
  const near = misspeltKind(kind, apiVersion);
  if (near) return [`unknown kind "${kind}": did you mean "${near}"? (kinds are singular and case-sensitive)`];
  const info = builtIn(kind);
  if (info && apiVersion !== undefined && BUILT_IN_GROUPS.has(groupOf(apiVersion)) && groupOf(apiVersion) !== groupOf(info.apiVersion)) {
    return [`${kind} is served in ${groupOf(info.apiVersion) || 'the core group'} (${info.apiVersion}), not ${apiVersion}`];
  }
  return [];
}

/** A kind made concrete: the apiVersion to read it in, and whether it lives in a namespace. */
export type ResolvedKind = { apiVersion: string; kind: string; namespaced: boolean };

/**
 * Resolves a task's kind reference. Built-in kinds come from the table above (no request). Any other kind
 * is looked up in discovery: with an apiVersion, that exact version; without, the group's preferred version.
 * Returns undefined when the API server serves no such kind (a CRD not installed yet: the object is simply
 * missing). Throws for authoring mistakes (a misspelt built-in, a kind two groups serve without apiVersion).
 */
export async function resolveKind(kind: string, apiVersion: string | undefined, discover: (() => Promise<readonly ApiResource[]>) | undefined): Promise<ResolvedKind | undefined> {
  const info = builtIn(kind);
  if (info && (apiVersion === undefined || groupOf(apiVersion) === groupOf(info.apiVersion))) {
    return { apiVersion: apiVersion ?? info.apiVersion, kind, namespaced: info.namespaced };
  }
  const [problem] = kindProblems(kind, apiVersion);
  if (problem) throw new Error(problem);
  if (!discover) {
    if (apiVersion === undefined) throw new Error(`kind "${kind}" is not built in and this reader has no API discovery: add an apiVersion`);
    return { apiVersion, kind, namespaced: true };
  }
  const served = (await discover()).filter((r) => r.kind === kind);
  if (apiVersion !== undefined) {
    const exact = served.find((r) => r.apiVersion === apiVersion);
    return exact && { apiVersion, kind, namespaced: exact.namespaced };
  }
  const preferred = served.filter((r) => r.preferred);
  const groups = [...new Set(preferred.map((r) => groupOf(r.apiVersion)))];
  if (groups.length > 1) throw new Error(`kind "${kind}" is served by several API groups (${preferred.map((r) => r.apiVersion).join(', ')}): add an apiVersion`);
  const pick = preferred[0] ?? served[0];
  return pick && { apiVersion: pick.apiVersion, kind, namespaced: pick.namespaced };
}

/** The built-in default apiVersion of `kind` (setup manifests without apiVersion); throws for other kinds. */
export function resolveApiVersion(kind: string, apiVersion?: string): string {
  if (apiVersion) return apiVersion;
  const info = builtIn(kind);
  if (info) return info.apiVersion;
  const near = misspeltKind(kind);
  throw new Error(near ? `unknown kind "${kind}": did you mean "${near}"?` : `kind "${kind}" is not built in: add its apiVersion`);
}

/**
 * Whether objects of a built-in `kind` live in a namespace. Other kinds are assumed namespaced here (what
 * almost every CRD a CKAD task uses is); grading asks discovery instead (resolveKind).
 */
export function isNamespaced(kind: string): boolean {
  return builtIn(kind)?.namespaced ?? true;
}

/** Namespaced kinds a candidate creates or edits (not the ones only controllers write, like Events). */
export const CANDIDATE_KINDS: readonly { kind: string; apiVersion: string }[] = Object.entries(KINDS)
  .filter(([kind, info]) => info.namespaced && !['Event', 'Endpoints', 'EndpointSlice', 'ControllerRevision', 'Lease', 'PodTemplate', 'ReplicationController'].includes(kind))
  .map(([kind, info]) => ({ kind, apiVersion: info.apiVersion }));

/** The plural resource name of a built-in kind, as RBAC rules and `kubectl auth can-i` name it. */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === 'endpoints') return lower;
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/**
 * Authoring problems of a resource an access question names (`deployments`, `deployments.apps`, `pods/log`):
 * a built-in kind written in the singular or capitalised, or without its API group, would be a question about
 * a resource nothing grants, so "denied" rows would pass for anything. Custom resources are not known here.
 */
export function resourceProblems(resource: string, group: string | undefined): string[] {
  const [base = resource] = resource.split('/', 1);
  const dot = base.indexOf('.');
  const name = dot >= 0 ? base.slice(0, dot) : base;
  const effectiveGroup = group ?? (dot >= 0 ? base.slice(dot + 1) : '');
  const kinds = Object.entries(KINDS);
  const exact = kinds.find(([kind]) => pluralOf(kind) === name);
  if (exact) {
    const [kind, info] = exact;
    const want = groupOf(info.apiVersion);
    if (effectiveGroup !== want) {
      return [`${name} are in ${want ? `API group ${want}` : 'the core group'}, not ${effectiveGroup ? `"${effectiveGroup}"` : 'the core group'}: write resource: ${name}${want ? `.${want}` : ''} (${kind})`];
    }
    return [];
  }
  const singular = kinds.find(([kind]) => kind.toLowerCase() === name.toLowerCase() || pluralOf(kind) === name.toLowerCase());
  if (singular) return [`resource "${name}": write the plural, lowercase resource name ${pluralOf(singular[0])}${groupOf(singular[1].apiVersion) ? `.${groupOf(singular[1].apiVersion)}` : ''}`];
  return [];
}

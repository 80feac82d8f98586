// Default apiVersion and scope of the kinds tasks talk about, so task files can say `kind: Deployment`
// without `apiVersion: apps/v1`. A kind not listed here needs an explicit apiVersion (CRDs, rarer kinds).

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
};

/** Kinds with a default apiVersion, for lint messages and docs. */
export const KNOWN_KINDS: readonly string[] = Object.keys(KINDS);

/** The apiVersion to use for `kind`: the explicit one if given, else the default for a known kind. */
export function resolveApiVersion(kind: string, apiVersion?: string): string {
  if (apiVersion) return apiVersion;
  const info = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  if (info) return info.apiVersion;
  const near = KNOWN_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
  throw new Error(
    near
      ? `unknown kind "${kind}": kinds are case-sensitive, did you mean "${near}"?`
      : `unknown kind "${kind}": add an apiVersion to the reference (known kinds: ${KNOWN_KINDS.join(', ')})`,
  );
}

/**
 * Whether objects of `kind` live in a namespace. Kinds we do not know (CRDs) are assumed namespaced,
 * which is what almost every CRD a CKAD task would use is.
 */
export function isNamespaced(kind: string): boolean {
  return Object.hasOwn(KINDS, kind) ? (KINDS[kind]?.namespaced ?? true) : true;
}

/** Namespaced kinds a candidate creates or edits (not the ones only controllers write, like Events). */
export const CANDIDATE_KINDS: readonly { kind: string; apiVersion: string }[] = Object.entries(KINDS)
  .filter(([kind, info]) => info.namespaced && !['Event', 'Endpoints', 'EndpointSlice'].includes(kind))
  .map(([kind, info]) => ({ kind, apiVersion: info.apiVersion }));

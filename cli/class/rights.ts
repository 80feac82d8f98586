// What a candidate may do, as Kubernetes objects (pure builders; cli/class/cluster.ts creates them).
//
// - In each of her task namespaces: the built-in `admin` ClusterRole, plus `extra` (ResourceQuota and
//   LimitRange writes, metrics for `kubectl top`), both by RoleBinding: nothing in anyone else's namespace.
// - Cluster-wide: read nodes (and their metrics), as on the exam. Namespaces cannot be listed (the list would
//   name every other candidate); `admin` already lets her get her own namespaces by name.
// - In the class namespace: get on her own ConfigMap only (tasks, seed, deadline), for `ckad-lab join`.
// - Not at all (RBAC default-deny, since `admin` aggregates nothing from kwok.x-k8s.io or other extensions):
//   KWOK's Logs/ClusterLogs/Exec/Attach/PortForward (they name host files and commands), cluster-scoped
//   writes (PV, StorageClass, CRDs, ClusterRoles, bindings), Secrets outside her namespaces, anything in the
//   class namespace besides her ConfigMap.
// - Refused by a ValidatingAdmissionPolicy (the API server's own CEL, so the sandbox enforces it too): tokens
//   longer than an hour (`admin` includes create serviceaccounts/token for her own namespaces' ServiceAccounts;
//   the exam asks for one-hour tokens; `class end` revokes them) and legacy token Secrets, which never expire;
//   and for any pod in a class namespace (whoever creates it: controllers too), the host's network/PID/IPC,
//   hostPath volumes and privileged containers.
import type { KubeObject } from '../../graders/reader.ts';
import { MANAGED_BY } from '../../sandbox/labels.ts';
import { CANDIDATE_LABEL, CLASS_LABEL, candidateConfigMap, classNamespace, clusterObjectName, type ClassRecord } from './record.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';
const ADMISSION = 'admissionregistration.k8s.io/v1';

export const classLabels = (className: string, candidate?: string): Record<string, string> => ({
  [MANAGED_BY.key]: MANAGED_BY.value,
  [CLASS_LABEL]: className,
  ...(candidate ? { [CANDIDATE_LABEL]: candidate } : {}),
});

/** Every ServiceAccount of the class namespace, i.e. every candidate: one subject for the cluster-wide rights. */
export const candidatesGroup = (className: string): string => `system:serviceaccounts:${classNamespace(className)}`;
export const candidateUser = (className: string, candidate: string): string => `system:serviceaccount:${classNamespace(className)}:${candidate}`;

const saSubject = (className: string, candidate: string) => ({ kind: 'ServiceAccount', name: candidate, namespace: classNamespace(className) });

/** Names of the RoleBindings the class puts in a candidate's task namespace (the collusion check skips them). */
export const TASK_BINDINGS = { admin: 'ckad-lab-candidate-admin', extra: 'ckad-lab-candidate-extra' } as const;

/**
 * The longest token a candidate may mint for a ServiceAccount of her own namespaces (the exam asks for one-hour
 * tokens). `class end` revokes them by recreating those ServiceAccounts.
 */
export const MAX_CANDIDATE_TOKEN_SECONDS = 3600;

/** Cluster-scoped objects and the class namespace: created once per class, before any candidate. */
export function classObjects(className: string, opts: { customGroups?: readonly string[] } = {}): KubeObject[] {
  const customGroups = (opts.customGroups ?? []).filter((g) => g !== '' && !g.endsWith('k8s.io') && !g.endsWith('x-k8s.io'));
  const labels = classLabels(className);
  const ns = classNamespace(className);
  const group = candidatesGroup(className);
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: clusterObjectName(className, 'read'), labels },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['metrics.k8s.io'], resources: ['nodes'], verbs: ['get', 'list'] },
        // Read-only, for tasks that look at what setup prepared: a PersistentVolume to bind, a StorageClass, the
        // CRD behind a custom resource (`kubectl get crd`, `explain`).
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterObjectName(className, 'read'), labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterObjectName(className, 'read') },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
    },
    {
      // Bound per namespace by RoleBindings: it grants nothing cluster-wide.
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: clusterObjectName(className, 'extra'), labels },
      rules: [
        { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] },
        { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] },
        // Custom resources of the CRDs the class's tasks install (admin aggregates none of them).
        ...(customGroups.length ? [{ apiGroups: [...customGroups], resources: ['*'], verbs: ['*'] }] : []),
      ],
    },
    {
      apiVersion: ADMISSION,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: clusterObjectName(className, 'tokens'), labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['serviceaccounts/token', 'secrets'] }],
        },
        matchConditions: [{ name: 'candidate', expression: `'${group}' in request.userInfo.groups` }],
        validations: [
          {
            // `subResource` is absent from requests on the object itself (a Secret), not empty. RBAC already limits
            // her to ServiceAccounts of her own namespaces; `kubectl create token` (a CKAD skill) defaults to one hour.
            expression: `!has(request.subResource) || request.subResource != 'token' || (has(object.spec.expirationSeconds) && object.spec.expirationSeconds <= ${MAX_CANDIDATE_TOKEN_SECONDS})`,
            message: `candidates of class ${className} may request ServiceAccount tokens of at most ${MAX_CANDIDATE_TOKEN_SECONDS / 3600} hour (their access ends with the class window; class end revokes them)`,
            reason: 'Forbidden',
          },
          {
            expression: "request.resource.resource != 'secrets' || !has(object.type) || object.type != 'kubernetes.io/service-account-token'",
            message: `candidates of class ${className} cannot create ServiceAccount token Secrets: their access ends with the class window`,
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: ADMISSION,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: clusterObjectName(className, 'tokens'), labels },
      spec: { policyName: clusterObjectName(className, 'tokens'), validationActions: ['Deny'] },
    },
    {
      apiVersion: ADMISSION,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: clusterObjectName(className, 'host'), labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: { matchLabels: { [CLASS_LABEL]: className } },
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }],
        },
        variables: [
          {
            name: 'containers',
            expression:
              "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : []) + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])",
          },
        ],
        validations: [
          {
            expression: '!(has(object.spec.hostNetwork) && object.spec.hostNetwork) && !(has(object.spec.hostPID) && object.spec.hostPID) && !(has(object.spec.hostIPC) && object.spec.hostIPC)',
            message: `pods of class ${className} may not use the host's network, PID or IPC namespaces`,
            reason: 'Forbidden',
          },
          {
            expression: '!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))',
            message: `pods of class ${className} may not mount hostPath volumes`,
            reason: 'Forbidden',
          },
          {
            expression: 'variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)',
            message: `containers of class ${className} may not be privileged`,
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: ADMISSION,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: clusterObjectName(className, 'host'), labels },
      spec: { policyName: clusterObjectName(className, 'host'), validationActions: ['Deny'] },
    },
  ];
}

/** A candidate's identity: her ServiceAccount in the class namespace (she cannot touch it). */
export function serviceAccount(className: string, candidate: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: candidate, namespace: classNamespace(className), labels: classLabels(className, candidate) }, automountServiceAccountToken: false };
}

/** Her ConfigMap and the Role that lets her (and only her) read it. */
export function candidateRecordObjects(className: string, candidate: string, record: unknown): KubeObject[] {
  const ns = classNamespace(className);
  const labels = classLabels(className, candidate);
  const name = candidateConfigMap(candidate);
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { 'candidate.json': JSON.stringify(record) } },
    { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace: ns, labels }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [name], verbs: ['get'] }] },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [saSubject(className, candidate)],
    },
  ];
}

/** Her rights in one of her task namespaces. */
export function taskNamespaceBindings(className: string, candidate: string, namespace: string): KubeObject[] {
  const labels = classLabels(className, candidate);
  return [
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: TASK_BINDINGS.admin, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [saSubject(className, candidate)],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: TASK_BINDINGS.extra, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterObjectName(className, 'extra') },
      subjects: [saSubject(className, candidate)],
    },
  ];
}

/** Cluster-scoped kinds a candidate may not write: a task whose solution creates one is left out of classes. */
export const CLUSTER_SCOPED_WRITES = ['PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'PriorityClass', 'Namespace'] as const;
const KUBECTL_CLUSTER_CREATE = /kubectl\b[^\n|;&]*\bcreate\s+(clusterrole|clusterrolebinding|namespace|ns|priorityclass)\b/;

/** Why a task cannot be part of a class (its solution writes a cluster-scoped object), or undefined. */
export function unsupportedInClass(task: { id: string; solution: string }): string | undefined {
  const kind = CLUSTER_SCOPED_WRITES.find((k) => new RegExp(`kind:\\s*${k}\\b`).test(task.solution)) ?? KUBECTL_CLUSTER_CREATE.exec(task.solution)?.[1];
  return kind ? `${task.id}: its solution creates a ${kind}, which is cluster-scoped; class candidates may write only in their own namespaces` : undefined;
}

/** The API groups of the CRDs a task's setup installs (its custom resources are the candidate's to write). */
export function customResourceGroups(task: { setup: readonly unknown[] }): string[] {
  const groups: string[] = [];
  for (const step of task.setup) {
    const apply = (step as { apply?: string }).apply;
    if (!apply || !/kind:\s*CustomResourceDefinition\b/.test(apply)) continue;
    for (const m of apply.matchAll(/^\s*group:\s*["']?([a-z0-9.-]+)["']?\s*$/gm)) if (m[1]) groups.push(m[1]);
  }
  return groups;
}

/**
 * Whom a binding's subject lets in, among the class's candidates: another candidate's ServiceAccount or user
 * name, the group of every candidate, or a ServiceAccount living in another candidate's namespaces.
 */
export function subjectCandidates(record: ClassRecord, subject: { kind: string; name: string; namespace?: string }, namespacesOf: ReadonlyMap<string, string>): string[] {
  const ns = classNamespace(record.name);
  const all = record.candidates.map((c) => c.name);
  if (subject.kind === 'Group') {
    return subject.name === candidatesGroup(record.name) || subject.name === 'system:serviceaccounts' || subject.name === 'system:authenticated' ? all : [];
  }
  if (subject.kind === 'User') {
    return all.filter((c) => subject.name === candidateUser(record.name, c));
  }
  if (subject.kind === 'ServiceAccount') {
    if (subject.namespace === ns) return all.filter((c) => c === subject.name);
    const owner = subject.namespace ? namespacesOf.get(subject.namespace) : undefined;
    return owner ? [owner] : [];
  }
  return [];
}


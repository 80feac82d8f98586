// The task file format. Every type used elsewhere is inferred from these schemas.
import { z } from 'zod';

/** The five CKAD curriculum domains and their exam weights (percent). */
export const DOMAINS = {
  'design-build': { title: 'Application Design and Build', weight: 20 },
  deployment: { title: 'Application Deployment', weight: 20 },
  observability: { title: 'Application Observability and Maintenance', weight: 15 },
  'config-security': { title: 'Application Environment, Configuration and Security', weight: 25 },
  'services-networking': { title: 'Services and Networking', weight: 20 },
} as const;
export const Domain = z.enum(Object.keys(DOMAINS) as [keyof typeof DOMAINS, ...(keyof typeof DOMAINS)[]]);
export type Domain = z.infer<typeof Domain>;

/**
 * The CKAD v1.35 curriculum's competencies, each in one domain. A task names its competency; its domain
 * follows from it (the one source of truth: task files carry no `domain:`). Titles are the curriculum's words.
 */
export const COMPETENCIES = {
  'container-images': { domain: 'design-build', title: 'Define, build and modify container images' },
  'workload-resources': { domain: 'design-build', title: 'Choose and use the right workload resource (Deployment, DaemonSet, CronJob, ...)' },
  'multi-container-patterns': { domain: 'design-build', title: 'Multi-container Pod design patterns (sidecar, init, ...)' },
  volumes: { domain: 'design-build', title: 'Persistent and ephemeral volumes' },
  'deployment-strategies': { domain: 'deployment', title: 'Deployment strategies (blue/green, canary, ...)' },
  'rolling-updates': { domain: 'deployment', title: 'Deployments and rolling updates' },
  helm: { domain: 'deployment', title: 'The Helm package manager' },
  kustomize: { domain: 'deployment', title: 'Kustomize' },
  'api-deprecations': { domain: 'observability', title: 'API deprecations' },
  probes: { domain: 'observability', title: 'Probes and health checks' },
  'cli-monitoring': { domain: 'observability', title: 'Built-in CLI tools to monitor applications' },
  'container-logs': { domain: 'observability', title: 'Container logs' },
  debugging: { domain: 'observability', title: 'Debugging in Kubernetes' },
  'crds-operators': { domain: 'config-security', title: 'Resources that extend Kubernetes (CRDs, Operators)' },
  'authn-authz-admission': { domain: 'config-security', title: 'Authentication, authorization and admission control' },
  'requests-limits-quotas': { domain: 'config-security', title: 'Requests, limits and quotas' },
  configmaps: { domain: 'config-security', title: 'ConfigMaps' },
  'resource-requirements': { domain: 'config-security', title: 'Resource requirements' },
  secrets: { domain: 'config-security', title: 'Secrets' },
  serviceaccounts: { domain: 'config-security', title: 'ServiceAccounts' },
  'security-contexts': { domain: 'config-security', title: 'Security contexts and capabilities' },
  'network-policies': { domain: 'services-networking', title: 'NetworkPolicies' },
  services: { domain: 'services-networking', title: 'Access to applications through Services' },
  ingress: { domain: 'services-networking', title: 'Ingress rules' },
} as const satisfies Record<string, { domain: Domain; title: string }>;
const COMPETENCY_IDS = Object.keys(COMPETENCIES) as [keyof typeof COMPETENCIES, ...(keyof typeof COMPETENCIES)[]];
export const Competency = z.enum(COMPETENCY_IDS, {
  error: (iss) => (typeof iss.input === 'string' ? `unknown competency ${JSON.stringify(iss.input)}${suggestCompetency(iss.input).replace(/^./, (c) => `: ${c.toLowerCase()}`)}` : undefined),
});
export type Competency = z.infer<typeof Competency>;

/** The domain a competency belongs to. */
export const domainOf = (competency: Competency): Domain => COMPETENCIES[competency].domain;

export const isCompetency = (name: string): name is Competency => Object.hasOwn(COMPETENCIES, name);

/** "Did you mean X?" for a mistyped competency (by edit distance or a shared word), or the list of all. */
export function suggestCompetency(name: string): string {
  const typed = name.toLowerCase();
  const scored = COMPETENCY_IDS.map((c) => ({ c, d: editDistance(typed, c) })).sort((a, b) => a.d - b.d);
  const near = scored.filter((s) => s.d <= Math.max(2, Math.floor(s.c.length / 4))).map((s) => s.c);
  const sharing = COMPETENCY_IDS.filter((c) => typed.length >= 3 && (c.includes(typed) || c.split('-').some((w) => w.length >= 3 && typed.includes(w))));
  const guesses = (near.length > 0 ? near : sharing).slice(0, 3);
  return guesses.length > 0 ? `Did you mean ${guesses.join(', ')}?` : `Competencies: ${COMPETENCY_IDS.join(', ')}.`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, "-")')
  .max(63);

/**
 * A bound value. A plain string is fixed; `{value, choices}` is drawn from `choices` when the task is
 * set up with a seed, and is `value` (the canonical one) otherwise.
 */
export const Param = z.union([
  z.string(),
  z.strictObject({
    value: z.string(),
    choices: z.array(z.string()).min(1).optional(),
  }),
]);
export type Param = z.infer<typeof Param>;

/** Which object a check or a setup step is about. `namespace` defaults to the task's `ns`. */
export const ObjectRef = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
});
export type ObjectRef = z.infer<typeof ObjectRef>;

export const ListRef = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  namespace: z.string().optional(),
  /** A label selector in kubectl syntax: `app=hello,track in (stable)`. */
  selector: z.string().optional(),
});
export type ListRef = z.infer<typeof ListRef>;

/**
 * An expectation tree matched partially against a live object: see graders/match.ts for the
 * operators ($findBy, $contains, $exact, $regex, $oneOf, $gte, $quantity, $base64, $absent, ...).
 */
export const Expect = z.record(z.string(), z.unknown());

/** What a setup step waits for; polls until it matches or `timeoutSeconds` passes. */
export const WaitStep = z.strictObject({
  wait: ObjectRef.extend({
    for: Expect.optional(),
    /** Shorthand for common settled states. */
    condition: z.enum(['rolloutComplete', 'podsReady', 'exists', 'jobComplete']).optional(),
    timeoutSeconds: z.number().positive().max(600).default(60),
  }),
});

export const SetupStep = z.union([
  /** One or more YAML manifests, created in the task's namespace. */
  z.strictObject({ apply: z.string().min(1) }),
  /** A patch of an existing object; `type` is the Kubernetes patch type. */
  z.strictObject({
    patch: ObjectRef.extend({
      type: z.enum(['merge', 'strategic', 'json']).default('strategic'),
      patch: z.unknown(),
    }),
  }),
  WaitStep,
  /** A file the candidate is handed, written under the task's working directory. */
  z.strictObject({ file: z.strictObject({ path: z.string().min(1), content: z.string() }) }),
  /**
   * What `kubectl logs` prints for a pod (sandbox only; sandbox/logs.ts): `pod` by name, or every pod `selector`
   * matches when the step runs; `container` (all of the pod's without it); `previous` is what `logs -p` prints.
   * Lines are timestamped a second apart (or over `spanSeconds`), the last at setup time.
   */
  z.strictObject({
    logs: z
      .strictObject({
        pod: z.string().min(1).optional(),
        selector: z.string().min(1).optional(),
        namespace: z.string().optional(),
        container: z.string().min(1).optional(),
        lines: z.string(),
        previous: z.string().optional(),
        spanSeconds: z.number().nonnegative().max(30 * 86_400).optional(),
      })
      .refine((l) => (l.pod === undefined) !== (l.selector === undefined), 'give either `pod` (one pod by name) or `selector` (every pod it matches), not both'),
  }),
  /** A shell command with KUBECONFIG set; for what the other steps cannot say. */
  z.strictObject({ run: z.string().min(1) }),
]);
export type SetupStep = z.infer<typeof SetupStep>;

/**
 * An answer file the candidate writes under the task's working directory: `path` is written in full as the
 * instructions show it (`{{workdir}}/error-pod.txt`). Without a content field the file only has to exist;
 * otherwise give one of them (graders/checks/file.ts).
 */
export const FileCheck = z.strictObject({
  path: z.string().min(1),
  /** The whole text, trimmed (leading/trailing whitespace and newlines, CRLF) equals this. */
  text: z.string().optional(),
  /** The non-blank lines, each trimmed, are exactly these, in any order. */
  lines: z.array(z.string()).optional(),
  /** The non-blank lines, each trimmed, are exactly these, in this order. */
  orderedLines: z.array(z.string()).optional(),
  /** The trimmed text matches this regular expression (JavaScript syntax, multiline: ^ and $ match per line). */
  regex: z.string().optional(),
  /** The file parses as YAML (several documents: a list of them) and matches this expectation, like an object. */
  yaml: z.unknown().optional(),
  /** The file parses as JSON and matches this expectation, like an object. */
  json: z.unknown().optional(),
  /**
   * The file holds what a live query answers: `field` of each object `list` finds (those matching `where`),
   * as non-blank lines in any order (`lines`, default), one value (`text`: the query must find exactly one),
   * or how many there are (`count`).
   */
  equalsQuery: z
    .strictObject({
      list: ListRef,
      field: z.string().min(1).default('metadata.name'),
      where: Expect.optional(),
      as: z.enum(['lines', 'text', 'count']).default('lines'),
    })
    .optional(),
});
export type FileCheck = z.infer<typeof FileCheck>;

/** One question for the API server's authorizer, and the answer the task wants. */
export const AccessRule = z.strictObject({
  /** One verb or several (each asked on its own): get, list, watch, create, update, patch, delete, deletecollection, `*`. */
  verb: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Plural resource, as `kubectl auth can-i` takes it: `deployments`, `deployments.apps`, `pods/log`. */
  resource: z.string().min(1),
  /** API group ('' for core); may also be given as `resource: deployments.apps`. */
  group: z.string().optional(),
  /** One object by name (resourceNames rules). */
  name: z.string().optional(),
  /** Overrides the check's namespace for this row; `*` asks about all namespaces. */
  namespace: z.string().optional(),
  allowed: z.boolean(),
});
export type AccessRule = z.infer<typeof AccessRule>;

/**
 * What a subject may do, asked of the API server (SubjectAccessReview), so RBAC is graded by effect however
 * the Roles and bindings are written. The subject is `serviceAccount` (a name in `namespace`) or `user` (with
 * `groups`); the rows are `rules`, or one row written inline (graders/checks/access.ts).
 */
export const AccessCheck = z.strictObject({
  serviceAccount: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  groups: z.array(z.string().min(1)).optional(),
  /** Where the questions are asked (and the ServiceAccount lives); default the task's `ns`; `*`: all namespaces. */
  namespace: z.string().optional(),
  rules: z.array(AccessRule).min(1).optional(),
  ...AccessRule.partial().omit({ namespace: true }).shape,
});
export type AccessCheck = z.infer<typeof AccessCheck>;

/** A Helm release by name, in `namespace` (default the task's `ns`). */
export const HelmReleaseRef = z.strictObject({ name: z.string().min(1), namespace: z.string().optional() });

const checkBase = {
  name: z.string().min(1),
  points: z.number().int().positive(),
  hint: z.string().optional(),
  /** Settling state: poll until it passes or the grading deadline. Spec checks run once. */
  eventually: z.boolean().default(false),
  /**
   * Names of checks of this task that must pass for this one to award its points. For checks that would
   * otherwise pass when the candidate does nothing ("leave the Service as it is"): they earn their points
   * only together with the work they guard, so an untouched task scores 0.
   */
  requires: z.array(z.string().min(1)).min(1).optional(),
};

export const Check = z.union([
  /** One object matches `expect` (partially). Missing object: failure. */
  z.strictObject({ ...checkBase, object: ObjectRef, expect: Expect }),
  /** The object must not exist. */
  z.strictObject({ ...checkBase, absent: ObjectRef }),
  /** The object still has the values it had right after setup at these paths. */
  z.strictObject({ ...checkBase, unchanged: ObjectRef.extend({ paths: z.array(z.string()).min(1) }) }),
  /** A list of objects: how many match `selector`, and what every / some of them look like. */
  z.strictObject({
    ...checkBase,
    list: ListRef,
    count: z.union([z.number().int().nonnegative(), Expect]).optional(),
    every: Expect.optional(),
    some: Expect.optional(),
  }),
  /** An answer file under the task's working directory: exists, its text, its YAML/JSON, or a live query's answer. */
  z.strictObject({ ...checkBase, file: FileCheck }),
  /** What a user or ServiceAccount may and may not do, as the API server's authorizer answers. */
  z.strictObject({ ...checkBase, access: AccessCheck }),
  /**
   * A Helm release's latest revision matches `expect` (partially): fields `status`, `chart`, `version` (the
   * chart's), `appVersion`, `revision`, `description`, `values` (user-supplied, as `helm get values` shows) and
   * `history` (every revision: revision, status, chart, version, description), decoded from helm's Secrets.
   */
  z.strictObject({ ...checkBase, helmRelease: HelmReleaseRef, expect: Expect }),
  /** A TypeScript grader module in graders/custom/, for what the declarative form cannot say. */
  z.strictObject({ ...checkBase, custom: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) }),
]);
export type Check = z.infer<typeof Check>;

export const Task = z
  .strictObject({
    id: dnsLabel,
    title: z.string().min(1),
    competency: Competency,
    /** Follows from `competency`: a task file that spells it out gets told so. */
    domain: z.never({ error: 'the domain follows from `competency`: remove this key' }).optional(),
    /** Suggested time to spend on the task. */
    minutes: z.number().int().positive().max(60),
    /** Template variables naming namespaces; `ns` is the task's main namespace. */
    namespaces: z.record(z.string(), dnsLabel).refine((n) => 'ns' in n, 'must name the main namespace as `ns`'),
    params: z.record(z.string(), Param).default({}),
    instructions: z.string().min(1),
    setup: z.array(SetupStep).default([]),
    checks: z.array(Check).min(1),
    solution: z.string().min(1),
    wrongSolutions: z.array(z.strictObject({ name: z.string().min(1), script: z.string().min(1) })).min(1),
    hints: z.array(z.string()).default([]),
    links: z.array(z.url().refine((u) => u.startsWith('https://kubernetes.io/'), 'must be a kubernetes.io page')).min(1),
  })
  .transform(({ domain: _, ...task }) => ({ ...task, domain: domainOf(task.competency) }));
export type Task = z.infer<typeof Task>;

/** Points of a task: the sum of its checks' points. */
export const taskPoints = (task: Pick<Task, 'checks'>): number => task.checks.reduce((sum, c) => sum + c.points, 0);

// The narrow, read-only view of a cluster that graders get. Implemented over @kubernetes/client-node in
// sandbox/kube.ts; tests may implement it over fixtures.

/** A live Kubernetes object as the API returns it (JSON). */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

export type GetRef = { apiVersion: string; kind: string; namespace?: string; name: string };
export type ListQuery = { apiVersion: string; kind: string; namespace?: string; labelSelector?: string };

/** One kind the API server serves, as discovery reports it. */
export type ApiResource = {
  /** `apps/v1`, `v1`, `ops.ckad-lab.dev/v1alpha1`. */
  apiVersion: string;
  kind: string;
  /** The plural resource name: `deployments`. */
  resource: string;
  namespaced: boolean;
  /** Whether this is the group's preferred version (the one kubectl picks when none is given). */
  preferred: boolean;
};

/** A question for the API server's authorizer: may `user` (in `groups`) do `verb` on this resource? */
export type AccessQuery = {
  user: string;
  groups?: readonly string[];
  verb: string;
  /** Plural resource name: `deployments`, `pods`. */
  resource: string;
  /** API group: '' (core), `apps`, ... */
  group: string;
  subresource?: string;
  name?: string;
  /** Omitted: the question is about all namespaces (or a cluster-scoped resource). */
  namespace?: string;
};
/** The authorizer's answer (SubjectAccessReview status). */
export type AccessDecision = { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };

export interface ClusterReader {
  /** The object, or undefined when it does not exist. Other API errors throw {@link CouldNotGrade}. */
  get(ref: GetRef): Promise<KubeObject | undefined>;
  /** Objects of a kind (in a namespace, matching a label selector). Throws {@link CouldNotGrade}. */
  list(query: ListQuery): Promise<KubeObject[]>;
  /**
   * Every kind the API server serves (discovery), for kinds a task names without a built-in default (CRDs,
   * rarer kinds). Optional: a reader without it resolves built-in kinds only.
   */
  discover?(): Promise<ApiResource[]>;
  /**
   * Asks the API server whether a subject may do something: a SubjectAccessReview, created and answered,
   * never stored, so the cluster is not changed. 401/403 on the review itself throw {@link CouldNotGrade}.
   */
  reviewAccess?(query: AccessQuery): Promise<AccessDecision>;
}

/** Infrastructure trouble (401/403, timeouts, connection refused): the check could not be graded. */
export class CouldNotGrade extends Error {
  override name = 'CouldNotGrade';
}

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

export interface ClusterReader {
  /** The object, or undefined when it does not exist. Other API errors throw {@link CouldNotGrade}. */
  get(ref: GetRef): Promise<KubeObject | undefined>;
  /** Objects of a kind (in a namespace, matching a label selector). Throws {@link CouldNotGrade}. */
  list(query: ListQuery): Promise<KubeObject[]>;
}

/** Infrastructure trouble (401/403, timeouts, connection refused): the check could not be graded. */
export class CouldNotGrade extends Error {
  override name = 'CouldNotGrade';
}

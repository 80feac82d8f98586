// The Kube facade: the one client every other module receives. Built by `connect` from a Target (which
// kubeconfig and context, sandbox/kubeconfig.ts); requests go through the one HTTPS client (sandbox/transport.ts),
// kinds resolve through discovery (sandbox/discovery.ts), and the context is checked before anything mutates a
// cluster. Reads and writes of objects, access reviews and namespace deletion are its methods.
import type { KubeConfig } from '@kubernetes/client-node';
import { CouldNotGrade, type AccessDecision, type AccessQuery, type ApiResource, type ClusterReader, type GetRef, type KubeObject, type ListQuery } from '../graders/reader.ts';
import { Discovery } from './discovery.ts';
import { UserError } from './errors.ts';
import { loadTarget, type Target } from './kubeconfig.ts';
import { MANAGED_SELECTOR } from './labels.ts';
import { deleteManagedNamespace, purgeManagedNamespace } from './namespace-deletion.ts';
import { ApiError, ApiTransport, TransportError, type RawAnswer } from './transport.ts';
// Defined in ./labels.ts (the table of ckad-lab's labels); re-exported for the modules that take them from here.
export { MANAGED_BY, MANAGED_SELECTOR } from './labels.ts';
// Defined in ./transport.ts; re-exported because most modules that hold a Kube also test for its ApiError.
export { ApiError } from './transport.ts';

export class Kube {
  readonly kc: KubeConfig;
  readonly context: string;
  /** True when this is the sandbox ckad-lab created (it may change it freely). */
  readonly ownedBySandbox: boolean;
  readonly kubeconfigPath: string;
  private readonly allowed: readonly string[];
  private readonly transport: ApiTransport;
  readonly discovery: Discovery;

  constructor(kc: KubeConfig, opts: { ownedBySandbox: boolean; kubeconfigPath: string; allowedContexts: readonly string[]; timeoutMs?: number }) {
    this.kc = kc;
    this.context = kc.getCurrentContext();
    this.ownedBySandbox = opts.ownedBySandbox;
    this.kubeconfigPath = opts.kubeconfigPath;
    this.allowed = opts.allowedContexts;
    this.transport = new ApiTransport(kc, opts.timeoutMs);
    this.discovery = new Discovery(this.transport, this.context);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '<no server>';
  }

  /** May ckad-lab change this cluster? Only if it created it, or the user allowed this context. */
  get mayMutate(): boolean {
    return this.ownedBySandbox || this.allowed.includes(this.context);
  }

  /** Throws unless this cluster may be changed; `operation` says what would have happened. */
  assertMayMutate(operation: string): void {
    if (this.mayMutate) return;
    throw new UserError(`Refusing to ${operation} on context "${this.context}" (${this.server}): ckad-lab only changes clusters it created.`, {
      hint:
        `Nothing was changed. If this cluster is yours to practise on, allow it explicitly:\n` +
        `  ckad-lab ... --context ${this.context} --allow-context ${this.context}\n` +
        `or add it to config.yaml:  allowContexts: [${this.context}]\n` +
        `Even then, ckad-lab deletes only namespaces labelled ${MANAGED_SELECTOR}.`,
      exitCode: 3,
    });
  }

  // Reads and writes go through raw API JSON: client-node's typed models rename fields (`from` becomes
  // `_from`, `default` becomes `_default`) and reformat timestamps, which graders must never see, and
  // serializing a plain object through them can drop those fields on the way in.

  async get(ref: GetRef): Promise<KubeObject | undefined> {
    const operation = `read ${ref.kind} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name}`;
    try {
      return (await this.raw('GET', await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name))) as KubeObject;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return undefined;
      throw this.explain(error, operation);
    }
  }

  /** Lists a kind; `fieldSelector` (`spec.nodeName=n1`) only for the fields the API server indexes. */
  async list(query: ListQuery & { fieldSelector?: string }): Promise<KubeObject[]> {
    const operation = `list ${query.kind} in ${query.namespace ?? 'all namespaces'}`;
    try {
      const path = await this.path(query.apiVersion, query.kind, query.namespace);
      const params = new URLSearchParams();
      if (query.labelSelector) params.set('labelSelector', query.labelSelector);
      if (query.fieldSelector) params.set('fieldSelector', query.fieldSelector);
      const list = (await this.raw('GET', params.size ? `${path}?${params}` : path)) as { items?: KubeObject[] };
      // List items carry no apiVersion/kind; put them back so items look like what `get` returns.
      return (list.items ?? []).map((item) => ({ apiVersion: query.apiVersion, kind: query.kind, ...item }));
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return [];
      throw this.explain(error, operation);
    }
  }

  async create(object: KubeObject, operation = `create ${object.kind} ${object.metadata?.name}`): Promise<KubeObject> {
    this.assertMayMutate(operation);
    try {
      const path = await this.path(String(object.apiVersion), String(object.kind), object.metadata?.namespace);
      return (await this.raw('POST', `${path}?fieldManager=ckad-lab`, object)) as KubeObject;
    } catch (error) {
      throw this.explain(error, operation);
    }
  }

  /** Patches an object; `object` names it (apiVersion, kind, metadata) and is the patch itself, or `body` is. */
  async patch(object: KubeObject, type: 'merge' | 'strategic' | 'json', operation = `patch ${object.kind} ${object.metadata?.name}`, body: unknown = object): Promise<KubeObject> {
    this.assertMayMutate(operation);
    const contentType = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json' }[type];
    try {
      const path = await this.path(String(object.apiVersion), String(object.kind), object.metadata?.namespace, object.metadata?.name);
      return (await this.raw('PATCH', `${path}?fieldManager=ckad-lab`, body, contentType)) as KubeObject;
    } catch (error) {
      throw this.explain(error, operation);
    }
  }

  /** The URL path of a kind (from discovery, once per group/version), in a namespace, of one object. */
  path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    return this.discovery.path(apiVersion, kind, namespace, name);
  }

  /**
   * Every kind the API server serves, from the discovery endpoints every server has (/api/v1, /apis and each
   * group version), with each group's preferred version marked. A group version that fails to answer (an
   * aggregated API that is down, such as metrics) is left out rather than failing the whole discovery.
   */
  async discover(): Promise<ApiResource[]> {
    try {
      return await this.discovery.kinds();
    } catch (error) {
      throw this.explain(error, 'discover the kinds the API server serves');
    }
  }

  /**
   * Asks the API server's authorizer whether a subject may do something (a SubjectAccessReview). Creating a
   * review stores nothing and changes nothing, so it needs no permission to mutate; the credentials need
   * `create subjectaccessreviews` (401/403 become CouldNotGrade).
   */
  async reviewAccess(query: AccessQuery): Promise<AccessDecision> {
    const { user, groups, verb, resource, group, subresource, name, namespace } = query;
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user, ...(groups && { groups }), resourceAttributes: { verb, resource, group, ...(subresource && { subresource }), ...(name && { name }), ...(namespace && { namespace }) } },
    };
    try {
      const answer = (await this.raw('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review)) as { status?: AccessDecision };
      return { allowed: answer.status?.allowed ?? false, ...answer.status };
    } catch (error) {
      throw this.explain(error, `ask whether ${user} may ${verb} ${resource}`);
    }
  }

  /** Deletes a namespace, but only one ckad-lab created (it carries the managed-by label). */
  deleteManagedNamespace(name: string): Promise<'deleted' | 'absent'> {
    return deleteManagedNamespace(this, name);
  }

  /** Removes a ckad-lab namespace from the sandbox at once (see namespace-deletion.ts); only for the sandbox. */
  purgeManagedNamespace(name: string, timeoutMs?: number): Promise<'deleted' | 'absent'> {
    return purgeManagedNamespace(this, name, timeoutMs);
  }

  /** For a one-shot command (grade): after one request goes unanswered, fail the rest at once (see transport.ts). */
  stopWaitingAfterNoAnswer(): void {
    this.transport.stopWaitingAfterNoAnswer();
  }

  /** A GET whose answer is text (a pod's log), taken as it comes: its status and body. */
  getText(path: string): Promise<RawAnswer> {
    return this.transport.send('GET', path, undefined, 'application/json', '*/*');
  }

  /** A raw API request (for what the typed clients do not cover: discovery, collections, finalize). */
  raw(method: string, path: string, body?: unknown, contentType?: string, accept?: string): Promise<unknown> {
    return this.transport.request(method, path, body, contentType, accept);
  }

  /** Turns an API or connection error into one that says what failed, where and what to do. */
  explain(error: unknown, operation: string): Error {
    const where = `context "${this.context}" (${this.server})`;
    if (error instanceof TransportError) {
      return new CouldNotGrade(`Could not ${operation}: ${error.reason} on ${where}.${this.ownedBySandbox ? ' Is the sandbox running? Check with `ckad-lab sandbox status`; `ckad-lab sandbox up` repairs it.' : ''}`);
    }
    if (error instanceof ApiError) {
      const reason = error.status?.message ?? error.message;
      if (error.code === 401 || error.code === 403) {
        return new CouldNotGrade(`Could not ${operation}: the API server on ${where} answered ${error.code} (${reason}). Check that this context's credentials may read it.`, { cause: error });
      }
      // Too many requests, or trouble behind the API server (etcd down, a proxy's 502): no answer about the object.
      if (error.code === 429 || error.code >= 500) {
        return new CouldNotGrade(`Could not ${operation}: the API server on ${where} answered ${error.code} (${reason}).`, { cause: error });
      }
      return new ApiError(error.code, `Could not ${operation}: ${reason}`, error.status);
    }
    if (error instanceof CouldNotGrade || error instanceof UserError) return error;
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Connects to the sandbox, or with `context` to that context of the user's kubeconfig. Never falls back to
 * localhost:8080 the way `loadFromDefault()` does when no kubeconfig exists.
 */
export function connect(target: Target): Kube {
  const { kc, ownedBySandbox, kubeconfigPath } = loadTarget(target);
  return new Kube(kc, { ownedBySandbox, kubeconfigPath, allowedContexts: target.allowedContexts ?? [] });
}

/** The read-only view graders get: not-found is `undefined`, everything else that fails is CouldNotGrade. */
export function readerFor(kube: Kube): ClusterReader {
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw error instanceof CouldNotGrade ? error : new CouldNotGrade((error as Error).message);
    }
  };
  return {
    get: (ref) => wrap(() => kube.get(ref)),
    list: (query) => wrap(() => kube.list(query)),
    discover: () => wrap(() => kube.discover()),
    reviewAccess: (query) => wrap(() => kube.reviewAccess(query)),
  };
}

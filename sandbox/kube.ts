// The one module that builds a KubeConfig and API clients, maps API errors to typed errors, and checks the
// context before anything mutates a cluster. Everything else receives a `Kube`.
import { existsSync, statSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CouldNotGrade, type AccessDecision, type AccessQuery, type ApiResource, type ClusterReader, type GetRef, type KubeObject, type ListQuery } from '../graders/reader.ts';
import { UserError } from './errors.ts';
import { MANAGED_BY, MANAGED_SELECTOR } from './labels.ts';
// Defined in ./labels.ts (the table of ckad-lab's labels); re-exported for the modules that take them from here.
export { MANAGED_BY, MANAGED_SELECTOR } from './labels.ts';
import { userKubeconfigPaths } from './paths.ts';
export { userKubeconfigPaths } from './paths.ts';


export type Target = {
  /** The sandbox's own kubeconfig: clusters ckad-lab created. */
  sandboxKubeconfig: string;
  /** `--context NAME`: use this context of the user's kubeconfig (KUBECONFIG or ~/.kube/config) instead. */
  context?: string;
  /** Contexts the user explicitly allowed ckad-lab to change (`--allow-context`, config.yaml). */
  allowedContexts?: readonly string[];
};

export class Kube {
  readonly kc: KubeConfig;
  readonly context: string;
  /** True when this is the sandbox ckad-lab created (it may change it freely). */
  readonly ownedBySandbox: boolean;
  readonly kubeconfigPath: string;
  private readonly allowed: readonly string[];
  /** One pool of kept-alive connections per cluster: grading makes dozens of requests at once. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  /** How long a request may go without an answer (the socket idle) before it counts as failed. */
  private readonly timeoutMs: number;
  /** Set by stopWaitingAfterNoAnswer(): the first request that got no answer in time, if one has. */
  private noAnswer: TransportError | undefined;
  private failFast = false;

  constructor(kc: KubeConfig, opts: { ownedBySandbox: boolean; kubeconfigPath: string; allowedContexts: readonly string[]; timeoutMs?: number }) {
    this.kc = kc;
    this.context = kc.getCurrentContext();
    this.ownedBySandbox = opts.ownedBySandbox;
    this.kubeconfigPath = opts.kubeconfigPath;
    this.allowed = opts.allowedContexts;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
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

  async list(query: ListQuery): Promise<KubeObject[]> {
    const operation = `list ${query.kind} in ${query.namespace ?? 'all namespaces'}`;
    try {
      const path = await this.path(query.apiVersion, query.kind, query.namespace);
      const list = (await this.raw('GET', query.labelSelector ? `${path}?labelSelector=${encodeURIComponent(query.labelSelector)}` : path)) as { items?: KubeObject[] };
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

  private discovery = new Map<string, Promise<{ name: string; kind: string; namespaced: boolean }[]>>();
  /** The URL path of a kind (from discovery, once per group/version), in a namespace, of one object. */
  async path(apiVersion: string, kind: string, namespace?: string, name?: string, retried = false): Promise<string> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let resources = this.discovery.get(apiVersion);
    if (!resources) {
      resources = (this.raw('GET', base) as Promise<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>).then((r) => (r.resources ?? []).filter((x) => !x.name.includes('/')));
      resources.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, resources);
    }
    const resource = (await resources).find((r) => r.kind === kind);
    if (!resource && !retried) {
      // A CRD created since this group/version was last discovered: look once more.
      this.discovery.delete(apiVersion);
      return this.path(apiVersion, kind, namespace, name, true);
    }
    if (!resource) throw new CouldNotGrade(`the API server on context "${this.context}" does not serve ${kind} in ${apiVersion}`);
    const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${scope}/${resource.name}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /**
   * Every kind the API server serves, from the discovery endpoints every server has (/api/v1, /apis and each
   * group version), with each group's preferred version marked. A group version that fails to answer (an
   * aggregated API that is down, such as metrics) is left out rather than failing the whole discovery.
   */
  async discover(): Promise<ApiResource[]> {
    type Resources = { resources?: { name: string; kind: string; namespaced: boolean }[] };
    type Groups = { groups?: { preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[] };
    try {
      // Aggregated discovery (Kubernetes 1.30+): every group, version and resource in two requests.
      const [core, apis] = (await Promise.all([this.raw('GET', '/api', undefined, undefined, AGGREGATED_DISCOVERY), this.raw('GET', '/apis', undefined, undefined, AGGREGATED_DISCOVERY)])) as [unknown, unknown];
      const aggregated = [core, apis].every((d) => (d as { kind?: string } | undefined)?.kind === 'APIGroupDiscoveryList');
      if (aggregated) return [...fromAggregated(core as AggregatedList), ...fromAggregated(apis as AggregatedList)];
      // Older servers: /api/v1, /apis and one request per group version.
      const [coreList, groups] = (await Promise.all([this.raw('GET', '/api/v1'), this.raw('GET', '/apis')])) as [Resources, Groups];
      const versions: { groupVersion: string; preferred: boolean }[] = [];
      for (const g of groups.groups ?? []) {
        for (const v of g.versions ?? []) versions.push({ groupVersion: v.groupVersion, preferred: v.groupVersion === g.preferredVersion?.groupVersion });
      }
      const lists = await Promise.all(versions.map((v) => (this.raw('GET', `/apis/${v.groupVersion}`) as Promise<Resources>).catch(() => ({ resources: [] }))));
      const resources = (gv: string, preferred: boolean, list: Resources): ApiResource[] =>
        (list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => ({ apiVersion: gv, kind: r.kind, resource: r.name, namespaced: r.namespaced, preferred }));
      return [...resources('v1', true, coreList), ...versions.flatMap((v, i) => resources(v.groupVersion, v.preferred, lists[i] ?? {}))];
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
  async deleteManagedNamespace(name: string): Promise<'deleted' | 'absent'> {
    this.assertMayMutate(`delete namespace ${name}`);
    const ns = await this.get({ apiVersion: 'v1', kind: 'Namespace', name });
    if (!ns) return 'absent';
    if (ns.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) {
      throw new UserError(`Namespace "${name}" on context "${this.context}" was not created by ckad-lab (it lacks the label ${MANAGED_SELECTOR}); ckad-lab never deletes it.`, {
        hint: `Delete it yourself if you are sure (kubectl delete namespace ${name}), or choose a prefix with --prefix so tasks use other namespaces.`,
        exitCode: 3,
      });
    }
    try {
      await this.raw('DELETE', `/api/v1/namespaces/${encodeURIComponent(name)}?propagationPolicy=Background`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return 'absent';
      throw this.explain(error, `delete namespace ${name}`);
    }
    return 'deleted';
  }

  /**
   * Removes a ckad-lab namespace from the sandbox at once. The namespace controller takes 5 to 15 s (it waits
   * 5 s before it starts, then requeues by the pods' grace period); here everything in the namespace is
   * deleted with grace period 0, and once it is all gone the namespace is finalized. Contents are removed
   * before finalizing, so nothing survives to reappear under a new namespace of the same name. Only for the
   * sandbox: on other clusters other controllers' finalizers must run, so the normal deletion is used.
   */
  async purgeManagedNamespace(name: string, timeoutMs = 20_000): Promise<'deleted' | 'absent'> {
    if (!this.ownedBySandbox) throw new Error('purgeManagedNamespace is only for the sandbox');
    // The namespace is finalized (its `kubernetes` finalizer dropped) before it is deleted, never after: the
    // namespace controller skips a finalized namespace. Otherwise it takes the deleted namespace up 5 s later
    // and deletes everything in a namespace of that *name*, for as long as that takes (seconds, under load):
    // when a setup had meanwhile recreated the namespace, its new Deployment vanished (issue 12 items 4, 27).
    // (One already being deleted keeps its finalizer: finalized, it would go at once, before its contents.)
    const ns = await this.get({ apiVersion: 'v1', kind: 'Namespace', name });
    if (!ns) return 'absent';
    if (ns.metadata?.labels?.[MANAGED_BY.key] === MANAGED_BY.value && !ns.metadata?.deletionTimestamp) {
      await this.raw('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, { ...ns, spec: { ...(ns.spec as object), finalizers: [] } }).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.code === 404)) throw this.explain(error, `finalize namespace ${name}`);
      });
    }
    await this.deleteManagedNamespace(name);
    const resources = await this.namespacedResources();
    const base = (r: NamespacedResource) => `${r.groupVersion === 'v1' ? '/api/v1' : `/apis/${r.groupVersion}`}/namespaces/${name}/${r.name}`;
    const deadline = Date.now() + timeoutMs;
    let remaining = resources;
    for (;;) {
      await Promise.all(remaining.map((r) => this.raw('DELETE', `${base(r)}?gracePeriodSeconds=0&propagationPolicy=Background`).catch(() => undefined)));
      const counts = await Promise.all(remaining.map(async (r) => ((await this.raw('GET', `${base(r)}?limit=1`).catch(() => undefined)) as { items?: unknown[] } | undefined)?.items?.length ?? 0));
      remaining = remaining.filter((_, i) => (counts[i] ?? 0) > 0);
      if (remaining.length === 0) break;
      if (Date.now() > deadline) {
        // Not finalized over live content: the next purge of this name carries on.
        throw new UserError(`Namespace ${name} still holds ${remaining.map((r) => r.name).join(', ')} after ${timeoutMs / 1000} s.`, { hint: `It is being deleted; check \`kubectl get all -n ${name}\`.` });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.raw('PUT', `/api/v1/namespaces/${name}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: [] } }).catch((error) => {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    });
    return 'deleted';
  }

  private resourcesCache: Promise<NamespacedResource[]> | undefined;
  /** Namespaced resource types that can be listed and deleted as collections (discovery, once per process). */
  private namespacedResources(): Promise<NamespacedResource[]> {
    return (this.resourcesCache ??= (async () => {
      const groupVersions = ['v1'];
      const apis = (await this.raw('GET', '/apis')) as { groups?: { preferredVersion?: { groupVersion: string } }[] };
      for (const g of apis.groups ?? []) if (g.preferredVersion) groupVersions.push(g.preferredVersion.groupVersion);
      const lists = await Promise.all(
        groupVersions.map(async (gv) => {
          const list = (await this.raw('GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`).catch(() => ({ resources: [] }))) as { resources?: { name: string; namespaced: boolean; verbs: string[] }[] };
          return (list.resources ?? [])
            .filter((r) => r.namespaced && !r.name.includes('/') && r.verbs.includes('deletecollection') && r.verbs.includes('list'))
            .map((r) => ({ groupVersion: gv, name: r.name }));
        }),
      );
      return lists.flat();
    })());
  }

  /**
   * For a one-shot command (grade): once a request has had no answer within the timeout (etcd down behind the
   * API server, a hung proxy), later requests fail at once with the same reason instead of each waiting it out
   * again, so the command answers "could not grade" in one timeout rather than one per round of reads.
   */
  stopWaitingAfterNoAnswer(): void {
    this.failFast = true;
  }

  /** A raw API request (for what the typed clients do not cover: discovery, collections, finalize). */
  async raw(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<unknown> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new UserError(`Context "${this.context}" has no server.`);
    const options: Record<string, unknown> = { method, headers: { Accept: accept, ...(body !== undefined ? { 'Content-Type': contentType } : {}) }, timeout: this.timeoutMs, agent: this.agent };
    await this.kc.applyToHTTPSOptions(options as never);
    const what = `${method} ${path}`;
    if (this.failFast && this.noAnswer) throw new TransportError(this.noAnswer.code, `${what}: ${this.noAnswer.reason} (to an earlier request; not asked again)`);
    return new Promise((resolve, reject) => {
      // Every way a request can end without the API's answer (no connection, no answer in time, the socket
      // closed mid-answer) is a TransportError; nothing here throws inside a listener.
      const fail = (error: Error) => reject(error instanceof TransportError || error instanceof ApiError ? error : TransportError.from(error, what));
      const req = request(`${server}${path}`, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', fail);
        res.on('end', () => {
          const answer = readAnswer(what, res.statusCode ?? 0, String(res.headers['content-type'] ?? ''), Buffer.concat(chunks).toString('utf8'));
          if (answer instanceof Error) reject(answer);
          else resolve(answer.json);
        });
      });
      req.on('error', fail);
      req.on('timeout', () => {
        const error = new TransportError('ETIMEDOUT', `${what}: no answer within ${this.timeoutMs / 1000} s`);
        this.noAnswer ??= error;
        req.destroy(error);
      });
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
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
        return new CouldNotGrade(`Could not ${operation}: the API server on ${where} answered ${error.code} (${reason}). Check that this context's credentials may read it.`);
      }
      // Too many requests, or trouble behind the API server (etcd down, a proxy's 502): no answer about the object.
      if (error.code === 429 || error.code >= 500) {
        return new CouldNotGrade(`Could not ${operation}: the API server on ${where} answered ${error.code} (${reason}).`);
      }
      return new ApiError(error.code, `Could not ${operation}: ${reason}`, error.status);
    }
    if (error instanceof CouldNotGrade || error instanceof UserError) return error;
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Asks for aggregated discovery (apidiscovery.k8s.io/v2), with plain discovery JSON as the fallback. */
const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
type AggregatedList = {
  items?: {
    metadata?: { name?: string };
    /** In order of preference: the first is the group's preferred version. */
    versions?: { version: string; freshness?: string; resources?: { resource: string; scope?: string; responseKind?: { kind?: string } }[] }[];
  }[];
};

function fromAggregated(list: AggregatedList): ApiResource[] {
  return (list.items ?? []).flatMap((group) => {
    const name = group.metadata?.name ?? '';
    return (group.versions ?? []).flatMap((v, i) =>
      (v.resources ?? [])
        .filter((r) => r.responseKind?.kind)
        .map((r) => ({ apiVersion: name ? `${name}/${v.version}` : v.version, kind: r.responseKind?.kind ?? '', resource: r.resource, namespaced: r.scope === 'Namespaced', preferred: i === 0 })),
    );
  });
}

/**
 * The API server's answer "no" (conflict, invalid object, ...): the cluster's word, not a bug in ckad-lab, so
 * a UserError whose message says what was refused and why.
 */
export class ApiError extends UserError {
  override name = 'ApiError';
  readonly code: number;
  readonly status: ApiStatus | undefined;
  constructor(code: number, message: string, status?: ApiStatus) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

type ApiStatus = { message?: string; reason?: string };

/**
 * No answer from the API server: no connection, none in time, the socket closed, or a body that is not its JSON.
 * A kind of CouldNotGrade, so wherever it ends up it reads as infrastructure trouble, never as a bug.
 */
export class TransportError extends CouldNotGrade {
  override name = 'TransportError';
  readonly code: string;
  /** For people: what happened, e.g. `no answer within 10 s`. */
  readonly reason: string;
  constructor(code: string, message: string, reason = message.replace(/^[A-Z]+ \S+: /, '')) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  static from(error: Error, what: string): TransportError {
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? 'EIO';
    const reason = REASONS[code] ?? `the connection failed (${code}: ${error.message})`;
    return new TransportError(code, `${what}: ${reason}`, reason);
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'cannot reach the API server (ECONNREFUSED)',
  ECONNRESET: 'the API server closed the connection (ECONNRESET)',
  ETIMEDOUT: 'the API server did not answer in time (ETIMEDOUT)',
  ENOTFOUND: 'cannot find the API server (ENOTFOUND)',
  EHOSTUNREACH: 'cannot reach the API server (EHOSTUNREACH)',
  ECONNABORTED: 'the connection to the API server was aborted (ECONNABORTED)',
  EPIPE: 'the API server closed the connection (EPIPE)',
};

/**
 * The API's answer to a request: its JSON on success, an ApiError for an error status, a TransportError when
 * the body is not JSON at all (a proxy's HTML error page, a cut-off body).
 */
export function readAnswer(what: string, statusCode: number, contentType: string, text: string): { json: unknown } | ApiError | TransportError {
  let json: unknown;
  let parsed = text === '';
  if (text !== '') {
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      // Not the API's JSON: said below.
    }
  }
  const snippet = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  if (statusCode >= 400 || statusCode === 0) {
    const status = parsed && json && typeof json === 'object' ? (json as ApiStatus) : undefined;
    return new ApiError(statusCode, `${what}: ${status?.message ?? (snippet || `HTTP ${statusCode}`)}`, status ?? { message: snippet || `HTTP ${statusCode}` });
  }
  if (!parsed) {
    const reason = `the API server answered ${statusCode} with ${contentType || 'a body'} that is not JSON${snippet ? ` ("${snippet}")` : ''}`;
    return new TransportError('EBADANSWER', `${what}: ${reason}`, reason);
  }
  return { json };
}
type NamespacedResource = { groupVersion: string; name: string };


/**
 * Connects to the sandbox, or with `context` to that context of the user's kubeconfig. Never falls back to
 * localhost:8080 the way `loadFromDefault()` does when no kubeconfig exists.
 */
export function connect(target: Target): Kube {
  const allowedContexts = target.allowedContexts ?? [];
  if (target.context === undefined) {
    if (!existsSync(target.sandboxKubeconfig)) {
      throw new UserError('The sandbox has not been created yet.', { hint: 'Start it with `ckad-lab sandbox up` (or `npm start`), or pass --context NAME to use a cluster of your own.' });
    }
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(target.sandboxKubeconfig);
    } catch (error) {
      throw new UserError(`The sandbox's kubeconfig ${target.sandboxKubeconfig} cannot be read: ${(error as Error).message.split('\n')[0]}`, { hint: 'Repair the sandbox with `ckad-lab sandbox up`.', cause: error });
    }
    return new Kube(kc, { ownedBySandbox: true, kubeconfigPath: target.sandboxKubeconfig, allowedContexts });
  }
  const paths = userKubeconfigPaths();
  const kc = readUserKubeconfig(`--context ${target.context}`, paths);
  if (!kc.getContextObject(target.context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new UserError(`--context ${target.context}: no such context in ${paths.join(delimiter)}.`, { hint: known.length ? `Contexts there: ${known.join(', ')}.` : 'That kubeconfig has no contexts.', exitCode: BAD_INPUT });
  }
  kc.setCurrentContext(target.context);
  return new Kube(kc, { ownedBySandbox: false, kubeconfigPath: paths.join(delimiter), allowedContexts });
}

/** The exit code of bad input (cli/exit.ts `refused`; sandbox/ does not import cli/). */
const BAD_INPUT = 2;

/**
 * The user's kubeconfig (KUBECONFIG's files merged, like kubectl), or a UserError naming the file that is
 * missing, a directory, or not a kubeconfig. Never falls back to localhost:8080.
 */
export function readUserKubeconfig(what: string, paths: readonly string[]): KubeConfig {
  const fromEnv = process.env.KUBECONFIG ? 'KUBECONFIG' : '~/.kube/config';
  if (paths.length === 0) {
    throw new UserError(`${what}: no kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist).`, { hint: 'Point KUBECONFIG at the kubeconfig that has this context.', exitCode: BAD_INPUT });
  }
  const present = paths.filter((p) => existsSync(p));
  if (present.length === 0) {
    throw new UserError(`${what}: ${paths.join(delimiter)} does not exist (from ${fromEnv}).`, { hint: 'Point KUBECONFIG at the kubeconfig that has this context (kubectl config view shows what kubectl uses).', exitCode: BAD_INPUT });
  }
  // Merged like kubectl: the first file to set a value wins; missing files are skipped, as kubectl skips them.
  let kc: KubeConfig | undefined;
  for (const path of present) {
    if (statSync(path).isDirectory()) throw new UserError(`${what}: ${path} (from ${fromEnv}) is a directory, not a kubeconfig file.`, { hint: 'Point KUBECONFIG at the kubeconfig file itself, e.g. ~/.kube/config.', exitCode: BAD_INPUT });
    const one = new KubeConfig();
    try {
      one.loadFromFile(path);
      if (kc) kc.mergeConfig(one);
    } catch (error) {
      throw new UserError(`${what}: ${path} (from ${fromEnv}) is not a kubeconfig ckad-lab can read: ${(error as Error).message.split('\n')[0]}`, { hint: 'Check it with `kubectl config view`, or point KUBECONFIG at another file.', cause: error, exitCode: BAD_INPUT });
    }
    kc ??= one;
  }
  return kc as KubeConfig;
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

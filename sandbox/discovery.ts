// What the API server serves, from its discovery endpoints: the URL path of a kind, every kind (for graders),
// and the namespaced collections a namespace purge deletes. Each is asked once per Kube and kept.
import { CouldNotGrade, type ApiResource } from '../graders/reader.ts';
import type { ApiTransport } from './transport.ts';

type Resources = { resources?: { name: string; kind: string; namespaced: boolean }[] };
/** A namespaced resource type that can be listed and deleted as a collection. */
export type NamespacedResource = { groupVersion: string; name: string };

export class Discovery {
  private readonly transport: ApiTransport;
  private readonly context: string;
  private readonly byGroupVersion = new Map<string, Promise<{ name: string; kind: string; namespaced: boolean }[]>>();
  private collectionsCache: Promise<NamespacedResource[]> | undefined;

  constructor(transport: ApiTransport, context: string) {
    this.transport = transport;
    this.context = context;
  }

  /** The URL path of a kind (from discovery, once per group/version), in a namespace, of one object. */
  async path(apiVersion: string, kind: string, namespace?: string, name?: string, retried = false): Promise<string> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let resources = this.byGroupVersion.get(apiVersion);
    if (!resources) {
      resources = (this.transport.request('GET', base) as Promise<Resources>).then((r) => (r.resources ?? []).filter((x) => !x.name.includes('/')));
      resources.catch(() => this.byGroupVersion.delete(apiVersion));
      this.byGroupVersion.set(apiVersion, resources);
    }
    const resource = (await resources).find((r) => r.kind === kind);
    if (!resource && !retried) {
      // A CRD created since this group/version was last discovered: look once more.
      this.byGroupVersion.delete(apiVersion);
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
  async kinds(): Promise<ApiResource[]> {
    type Groups = { groups?: { preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[] };
    const get = (path: string, accept?: string) => this.transport.request('GET', path, undefined, undefined, accept);
    // Aggregated discovery (Kubernetes 1.30+): every group, version and resource in two requests.
    const [core, apis] = (await Promise.all([get('/api', AGGREGATED_DISCOVERY), get('/apis', AGGREGATED_DISCOVERY)])) as [unknown, unknown];
    const aggregated = [core, apis].every((d) => (d as { kind?: string } | undefined)?.kind === 'APIGroupDiscoveryList');
    if (aggregated) return [...fromAggregated(core as AggregatedList), ...fromAggregated(apis as AggregatedList)];
    // Older servers: /api/v1, /apis and one request per group version.
    const [coreList, groups] = (await Promise.all([get('/api/v1'), get('/apis')])) as [Resources, Groups];
    const versions: { groupVersion: string; preferred: boolean }[] = [];
    for (const g of groups.groups ?? []) {
      for (const v of g.versions ?? []) versions.push({ groupVersion: v.groupVersion, preferred: v.groupVersion === g.preferredVersion?.groupVersion });
    }
    const lists = await Promise.all(versions.map((v) => (get(`/apis/${v.groupVersion}`) as Promise<Resources>).catch(() => ({ resources: [] }))));
    const resources = (gv: string, preferred: boolean, list: Resources): ApiResource[] =>
      (list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => ({ apiVersion: gv, kind: r.kind, resource: r.name, namespaced: r.namespaced, preferred }));
    return [...resources('v1', true, coreList), ...versions.flatMap((v, i) => resources(v.groupVersion, v.preferred, lists[i] ?? {}))];
  }

  /** Namespaced resource types that can be listed and deleted as collections (discovery, once per process). */
  namespacedCollections(): Promise<NamespacedResource[]> {
    return (this.collectionsCache ??= (async () => {
      const groupVersions = ['v1'];
      const apis = (await this.transport.request('GET', '/apis')) as { groups?: { preferredVersion?: { groupVersion: string } }[] };
      for (const g of apis.groups ?? []) if (g.preferredVersion) groupVersions.push(g.preferredVersion.groupVersion);
      const lists = await Promise.all(
        groupVersions.map(async (gv) => {
          const list = (await this.transport.request('GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`).catch(() => ({ resources: [] }))) as { resources?: { name: string; namespaced: boolean; verbs: string[] }[] };
          return (list.resources ?? [])
            .filter((r) => r.namespaced && !r.name.includes('/') && r.verbs.includes('deletecollection') && r.verbs.includes('list'))
            .map((r) => ({ groupVersion: gv, name: r.name }));
        }),
      );
      return lists.flat();
    })());
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

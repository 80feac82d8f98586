// A per-grading-pass cache over a ClusterReader: each distinct get/list is sent once, however many checks
// ask for it, and concurrent askers share the request in flight. A pass sees one consistent snapshot;
// `eventually` checks poll through a fresh cache instead (see engine.ts).
import type { AccessQuery, ClusterReader, GetRef, KubeObject, ListQuery } from './reader.ts';

/**
 * Wraps `inner` so that repeated reads in one pass hit the API once. Failed reads are cached too: a pass
 * does not hammer an API that just said 403. Results are normalised to plain JSON — a reader built on
 * @kubernetes/client-node hands back model instances with Date fields and keys set to undefined, which
 * would skew `$len`, baselines and rendering — and deep-frozen, because checks share them.
 */
export function cachedReader(inner: ClusterReader): ClusterReader {
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = read().then((v) => deepFreeze(plainJson(v)));
      cache.set(key, hit);
    }
    return hit;
  };
  const { discover, reviewAccess } = inner;
  return {
    ...(discover && { discover: () => once('discover', () => discover.call(inner)) }),
    ...(reviewAccess && { reviewAccess: (q: AccessQuery) => once(JSON.stringify(['access', q]), () => reviewAccess.call(inner, q)) }),
    get: (ref: GetRef): Promise<KubeObject | undefined> =>
      once(JSON.stringify(['get', ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name]), () => inner.get(ref)),
    list: (q: ListQuery): Promise<KubeObject[]> =>
      once(JSON.stringify(['list', q.apiVersion, q.kind, q.namespace ?? '', q.labelSelector ?? '']), () => inner.list(q)),
  };
}

function plainJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

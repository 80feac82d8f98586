// Paths into live objects, as failures print them and as `unchanged` checks and custom checks read them:
// `spec.containers[web].ports[0]`, `metadata.labels["app.kubernetes.io/name"]`, `ports[port=80]`.
import { isObj, scalarEqual, type Scalar } from './values.ts';

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `path` extended by an object key: `spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`. */
export function keyPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** `path` extended by a list index: `args[0]`. */
export const indexPath = (path: string, i: number): string => `${path}[${i}]`;

/** `path` extended by the list item whose `by` is `value`: `containers[web]`, `ports[containerPort=80]`. */
export const findPath = (path: string, by: string, value: Scalar): string =>
  by === 'name' ? `${path}[${String(value)}]` : `${path}[${by}=${String(value)}]`;

export type PathSegment = { key: string } | { index: number } | { by: string; value: string };

/** Parses `spec.containers[web].ports[0]`, `metadata.labels["app.kubernetes.io/name"]`, `ports[port=80]`. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  const bad = (why: string): Error => new Error(`path "${path}": ${why} at column ${i + 1}`);
  while (i < path.length) {
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        // A JSON string up to the closing `"]`.
        let j = i + 2;
        while (j < path.length && !(path[j] === '"' && path[j - 1] !== '\\')) j++;
        if (path[j + 1] !== ']') throw bad('unterminated ["key"]');
        out.push({ key: JSON.parse(path.slice(i + 1, j + 1)) as string });
        i = j + 2;
      } else {
        const j = path.indexOf(']', i);
        if (j < 0) throw bad('unterminated [');
        const inner = path.slice(i + 1, j);
        if (inner === '') throw bad('empty []');
        const eq = inner.indexOf('=');
        if (/^\d+$/.test(inner)) out.push({ index: Number(inner) });
        else if (eq > 0) out.push({ by: inner.slice(0, eq), value: inner.slice(eq + 1) });
        else out.push({ by: 'name', value: inner });
        i = j + 1;
      }
    } else {
      if (path[i] === '.') {
        if (out.length === 0) throw bad('leading "."');
        i++;
      }
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i) throw bad('empty key');
      out.push({ key: path.slice(i, j) });
      i = j;
    }
  }
  if (out.length === 0) throw new Error('empty path');
  return out;
}

/** The problem with a path as a one-line message, or undefined when it parses. */
export function pathProblem(path: string): string | undefined {
  try {
    parsePath(path);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The value at `path` in `obj`, or undefined. `[n]` indexes a list, `[web]` picks the list element whose
 * `name` is `web` (the last one if several), `[port=80]` the one whose `port` is 80, `["a.b/c"]` a key with
 * dots. A malformed path throws.
 */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of parsePath(path)) {
    if ('key' in seg) cur = isObj(cur) && Object.hasOwn(cur, seg.key) ? cur[seg.key] : undefined;
    else if ('index' in seg) cur = Array.isArray(cur) ? cur[seg.index] : undefined;
    else cur = Array.isArray(cur) ? cur.findLast((x) => isObj(x) && scalarEqual(seg.value, x[seg.by])) : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

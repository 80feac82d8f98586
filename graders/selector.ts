// Label selectors in kubectl syntax (`app=web,track in (canary),!legacy`), evaluated locally: used by
// custom checks to tell which Pods behind a Service match, and by in-memory readers in tests.

export type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

const KEY = /^([a-z0-9A-Z][-a-z0-9A-Z_.]*\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Parses a selector; throws an Error naming the bad part. The empty selector matches everything. */
export function parseSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  if (parts.length === 1 && parts[0]?.trim() === '') return [];

  return parts.map((raw): Requirement => {
    const part = raw.trim();
    const bad = (why: string): Error => new Error(`label selector "${selector}": "${part}" ${why}`);
    const key = (k: string): string => {
      if (!KEY.test(k)) throw bad(`has an invalid label key "${k}"`);
      return k;
    };
    const value = (v: string): string => {
      if (!VALUE.test(v)) throw bad(`has an invalid label value "${v}"`);
      return v;
    };
    let m = /^!\s*(\S+)$/.exec(part);
    if (m?.[1]) return { key: key(m[1]), op: 'notexists' };
    m = /^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (m?.[1] && m[2] && m[3] !== undefined) {
      const values = m[3].split(',').map((v) => value(v.trim()));
      return { key: key(m[1]), op: m[2] === 'in' ? 'in' : 'notin', values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m?.[1] && m[2] && m[3] !== undefined) {
      return { key: key(m[1]), op: m[2] === '!=' ? 'notin' : 'in', values: [value(m[3])] };
    }
    if (/^\S+$/.test(part)) return { key: key(part), op: 'exists' };
    throw bad('is not a requirement (key, !key, key=value, key!=value, key in (a,b), key notin (a,b))');
  });
}

/** Whether `labels` satisfy every requirement of `selector` (a string or an already parsed selector). */
export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: string | Requirement[]): boolean {
  const reqs = typeof selector === 'string' ? parseSelector(selector) : selector;
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key] as string);
      case 'notin':
        // Like Kubernetes: `key!=v` and `key notin (...)` also match objects without the label.
        return !has || !r.values.includes(l[r.key] as string);
    }
  });
}

/*
 * The expectation matcher: `match(expect, actual)` lists every way a live object differs from what a task
 * expects. This comment is the reference for task authors.
 *
 * Plain values
 *   scalar        equal. A number also equals its canonical string ("3" == 3) and a boolean its string
 *                 ("true" == true): intOrString fields (targetPort) and templated values arrive as strings,
 *                 and the API fixes each field's type, so this never lets a wrong answer through.
 *                 `null` is refused by validateExpect (an empty YAML value is usually a slip): write
 *                 `{$absent: true}`.
 *   object        partial: every expected key must match; extra actual keys are ignored. A missing actual
 *                 object is matched as if empty, so `{a: {$absent: true}}` passes when there is no `a`;
 *                 `{}` means "an object must be here" (e.g. `emptyDir: {}`).
 *   array         same as `$exact`.
 *
 * Operators (keys starting with `$`). Several operators in one node must all pass (`{$gte: 1, $lte: 5}`).
 * Plain keys may sit next to `$anyOf`, `$allOf` and `$not` only, and then match the same node
 * (`{name: web, $anyOf: [{env: ...}, {envFrom: ...}]}`).
 *   {$findBy: name, items: [...]}  actual is a list; each item is found by the value of its `name` (or
 *                 whatever key `$findBy` names) and matched partially. Order does not matter, extra actual
 *                 items are allowed. Paths read `containers[web]` (`ports[containerPort=80]` for other
 *                 keys). If several actual items share the key (duplicate env vars) the last one counts,
 *                 as it does for the container runtime.
 *   {$contains: [...]}  each expected element matches a different actual element, in any order.
 *   {$exact: [...]}     same length, element i matches element i (elements match partially).
 *   {$set: [...]}       same length, each expected element matches a different actual element.
 *                 For all list operators a missing list is an empty list.
 *   {$regex: "..."}     a string (or number) that matches the WHOLE pattern: it is anchored as ^(?:...)$.
 *                 Write `.*foo.*` for "contains foo".
 *   {$oneOf: [a, b]}    equals one of the scalars.
 *   {$gt|$gte|$lt|$lte: n}  a number or numeric string compared with n.
 *   {$quantity: "128Mi"}, {$quantityGte: "100m"}, {$quantityLte: "1Gi"}  Kubernetes quantities compared
 *                 exactly: "0.5" == "500m", "1Gi" == "1024Mi", "1e3" == "1k".
 *   {$base64: "plain"}  the actual string is the base64 of "plain" (Secret data). Failures show the
 *                 decoded value: it is the candidate's own input.
 *   {$absent: true}     the key is missing or null.   {$exists: true}  it is present and not null.
 *   {$not: exp}         passes iff exp fails.
 *   {$anyOf: [exp...]}  one alternative passes; otherwise the failures of the closest alternative are
 *                 reported: the one that got furthest (most comparisons passed, then fewest failures, then
 *                 first), so a candidate who tried `env` hears about `env`, not about `envFrom`.
 *   {$allOf: [exp...]}  every alternative passes.
 *   {$len: n | exp}     length of a list or string, or the number of keys of an object; missing is 0.
 *
 * An unknown operator or a malformed operand is an authoring bug: `match` throws, `validateExpect` lists
 * them all (tasks lint runs it). Failures come back sorted by path, in a stable order.
 */
import { z } from 'zod';
import { compareQuantities, parseQuantity } from './quantity.ts';

export const Failure = z.object({
  /** Where, e.g. `spec.template.spec.containers[web].image`; `Deployment/web` for a missing object. */
  path: z.string(),
  expected: z.string(),
  actual: z.string(),
  /** Says what is wrong without the path, e.g. `expected nginx:1.27, got nginx:1.25`. */
  message: z.string(),
});
export type Failure = z.infer<typeof Failure>;

export const MISSING = '<missing>';
const MAX_RENDER = 120;

type Obj = Record<string, unknown>;
type Scalar = string | number | boolean;

const OPERATORS = new Set([
  '$findBy', '$contains', '$exact', '$set', '$regex', '$oneOf', '$gt', '$gte', '$lt', '$lte',
  '$quantity', '$quantityGte', '$quantityLte', '$base64', '$absent', '$exists', '$not', '$anyOf', '$allOf', '$len',
]);
/** Operators that may share a node with plain keys: they match the node as a whole. */
const COMBINATORS = new Set(['$anyOf', '$allOf', '$not']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isOperatorNode = (v: unknown): v is Obj => isObj(v) && Object.keys(v).some((k) => k.startsWith('$'));
const absent = (v: unknown): boolean => v === undefined || v === null;

// ---------------------------------------------------------------------------------------------- paths

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `path` extended by an object key: `spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`. */
export function keyPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}
const indexPath = (path: string, i: number): string => `${path}[${i}]`;
const findPath = (path: string, by: string, value: Scalar): string =>
  by === 'name' ? `${path}[${String(value)}]` : `${path}[${by}=${String(value)}]`;

type Segment = { key: string } | { index: number } | { by: string; value: string };

/** Parses `spec.containers[web].ports[0]`, `metadata.labels["app.kubernetes.io/name"]`, `ports[port=80]`. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
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

// ------------------------------------------------------------------------------------------ rendering

const truncate = (s: string): string => (s.length > MAX_RENDER ? `${s.slice(0, MAX_RENDER - 1)}…` : s);

/** A value as failures show it: strings bare, the rest as compact JSON, `<missing>` when absent. */
export function render(v: unknown): string {
  if (v === undefined) return MISSING;
  if (typeof v === 'string') return v === '' ? '""' : truncate(v);
  return truncate(JSON.stringify(v) ?? String(v));
}

/** An expectation as failures show it: `nginx:1.27`, `>= 2`, `matching /nginx:1\.2\d/`, `<absent>`. */
export function describe(exp: unknown): string {
  if (!isOperatorNode(exp)) return render(exp);
  const parts: string[] = [];
  const plain = Object.fromEntries(Object.entries(exp).filter(([k]) => !k.startsWith('$') && !('$findBy' in exp && k === 'items')));
  if (Object.keys(plain).length > 0) parts.push(render(plain));
  for (const [op, v] of Object.entries(exp)) {
    switch (op) {
      case '$findBy': parts.push(`items by ${String(v)}: ${render(exp['items'])}`); break;
      case '$contains': parts.push(`containing ${render(v)}`); break;
      case '$exact': parts.push(render(v)); break;
      case '$set': parts.push(`${render(v)} in any order`); break;
      case '$regex': parts.push(`matching /${String(v)}/`); break;
      case '$oneOf': parts.push(`one of ${(v as unknown[]).map(render).join(', ')}`); break;
      case '$gt': parts.push(`> ${String(v)}`); break;
      case '$gte': parts.push(`>= ${String(v)}`); break;
      case '$lt': parts.push(`< ${String(v)}`); break;
      case '$lte': parts.push(`<= ${String(v)}`); break;
      case '$quantity': parts.push(String(v)); break;
      case '$quantityGte': parts.push(`>= ${String(v)}`); break;
      case '$quantityLte': parts.push(`<= ${String(v)}`); break;
      case '$base64': parts.push(render(v)); break;
      case '$absent': parts.push('<absent>'); break;
      case '$exists': parts.push('<present>'); break;
      case '$not': parts.push(`not ${describe(v)}`); break;
      case '$anyOf': parts.push(`any of ${(v as unknown[]).map(describe).join(' | ')}`); break;
      case '$allOf': parts.push((v as unknown[]).map(describe).join(' and ')); break;
      case '$len': parts.push(`length ${describe(v)}`); break;
    }
  }
  return truncate(parts.join(' and '));
}

// ---------------------------------------------------------------------------------------- validation

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A number, or a numeric string (templated numbers arrive as strings). */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v);
  return undefined;
}

const where = (path: string): string => path || '<root>';
/** Where inside an operator's operand a validation problem is (never a path into the live object). */
const opPath = (path: string, op: string): string => (path ? `${path}.${op}` : op);

/** Problems with this node alone (not its children). */
function nodeProblems(node: Obj, path: string): string[] {
  const problems: string[] = [];
  const say = (msg: string): void => void problems.push(`${where(path)}: ${msg}`);
  const ops = Object.keys(node).filter((k) => k.startsWith('$'));
  const plain = Object.keys(node).filter((k) => !k.startsWith('$') && !(k === 'items' && '$findBy' in node));
  for (const op of ops) {
    if (!OPERATORS.has(op)) {
      const near = [...OPERATORS].find((o) => o.toLowerCase() === op.toLowerCase());
      say(`unknown operator ${op}${near ? ` (did you mean ${near}?)` : ''}`);
    }
  }
  if (plain.length > 0 && ops.some((op) => OPERATORS.has(op) && !COMBINATORS.has(op))) {
    say(`plain keys (${plain.join(', ')}) cannot sit next to ${ops.filter((o) => !COMBINATORS.has(o)).join(', ')}; only $anyOf, $allOf and $not may`);
  }
  for (const op of ops) {
    const v = node[op];
    switch (op) {
      case '$findBy': {
        if (typeof v !== 'string' || v === '') { say('$findBy needs a key name, e.g. $findBy: name'); break; }
        const items = node['items'];
        if (!Array.isArray(items) || items.length === 0) { say('$findBy needs a non-empty list `items`'); break; }
        const seen = new Set<string>();
        items.forEach((item, i) => {
          const key = isObj(item) ? item[v] : undefined;
          if (!isScalar(key)) say(`$findBy items[${i}] needs a plain \`${v}\` value to be found by`);
          else if (seen.has(String(key))) say(`$findBy items has ${v} ${String(key)} twice`);
          else seen.add(String(key));
        });
        break;
      }
      case '$contains':
        if (!Array.isArray(v) || v.length === 0) say(`${op} needs a non-empty list (an empty one matches anything)`);
        break;
      case '$exact':
      case '$set':
        if (!Array.isArray(v)) say(`${op} needs a list`);
        break;
      case '$regex':
        if (typeof v !== 'string') say('$regex needs a string');
        else {
          try { new RegExp(`^(?:${v})$`); } catch (err) { say(`$regex ${v}: ${(err as Error).message}`); }
        }
        break;
      case '$oneOf':
        if (!Array.isArray(v) || v.length === 0 || !v.every(isScalar)) say('$oneOf needs a non-empty list of plain values');
        break;
      case '$gt': case '$gte': case '$lt': case '$lte':
        if (toNumber(v) === undefined) say(`${op} needs a number, got ${render(v)}`);
        break;
      case '$quantity': case '$quantityGte': case '$quantityLte':
        if (parseQuantity(v) === undefined) say(`${op} needs a Kubernetes quantity (e.g. 128Mi, 500m), got ${render(v)}`);
        break;
      case '$base64':
        if (typeof v !== 'string') say('$base64 needs the plain (decoded) string');
        break;
      case '$absent': case '$exists':
        if (v !== true) say(`${op} takes only true (use ${op === '$absent' ? '$exists' : '$absent'} for the opposite)`);
        break;
      case '$not':
        if (v === undefined || v === null) say('$not needs an expectation');
        break;
      case '$anyOf': case '$allOf':
        if (!Array.isArray(v) || v.length === 0) say(`${op} needs a non-empty list of expectations`);
        break;
      case '$len': {
        const n = toNumber(v);
        if (n !== undefined ? !Number.isInteger(n) || n < 0 : !isOperatorNode(v)) {
          say('$len needs a non-negative integer or an operator expectation such as {$gte: 1}');
        }
        break;
      }
    }
  }
  return problems;
}

/** Every authoring problem in an expectation tree, each prefixed with its path. Empty when it is fine. */
export function validateExpect(expect: unknown): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (node === null) {
      problems.push(`${where(path)}: null (an empty YAML value?) expects nothing; write {$absent: true} to expect a missing field`);
    } else if (Array.isArray(node)) {
      node.forEach((el, i) => visit(el, indexPath(path, i)));
    } else if (isOperatorNode(node)) {
      problems.push(...nodeProblems(node, path));
      for (const [k, v] of Object.entries(node)) {
        if (!k.startsWith('$')) {
          if (!(k === 'items' && '$findBy' in node)) visit(v, keyPath(path, k));
          continue;
        }
        if (k === '$findBy' && Array.isArray(node['items'])) {
          for (const [i, item] of (node['items'] as unknown[]).entries()) {
            const key = isObj(item) ? item[String(v)] : undefined;
            visit(item, isScalar(key) ? findPath(path, String(v), key) : indexPath(opPath(path, 'items'), i));
          }
        } else if ((k === '$contains' || k === '$exact' || k === '$set' || k === '$anyOf' || k === '$allOf') && Array.isArray(v)) {
          v.forEach((el, i) => visit(el, indexPath(opPath(path, k), i)));
        } else if ((k === '$not' || k === '$len') && isObj(v)) {
          visit(v, opPath(path, k));
        }
      }
    } else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) visit(v, keyPath(path, k));
    }
  };
  visit(expect, '');
  return problems;
}

// ------------------------------------------------------------------------------------------- matching

function scalarEqual(e: Scalar | null, a: unknown): boolean {
  if (e === null) return absent(a);
  if (e === a) return true;
  if (typeof a === 'string' && (typeof e === 'number' || typeof e === 'boolean')) return String(e) === a;
  if (typeof e === 'string' && (typeof a === 'number' || typeof a === 'boolean')) return e === String(a);
  return false;
}

/**
 * Failures so far, and how many comparisons passed: the latter says how far a near miss got, so that
 * `$anyOf` and `$contains` can point at the closest alternative rather than the shortest one.
 */
type Acc = { failures: Failure[]; ok: number };

function fail(out: Acc, path: string, expected: string, actual: string, message = `expected ${expected}, got ${actual}`): void {
  out.failures.push({ path, expected, actual, message });
}

/** Of two near misses, the one that got further: more comparisons passed, then fewer failures. */
const closer = (x: Acc, y: Acc): Acc => (y.ok > x.ok || (y.ok === x.ok && y.failures.length < x.failures.length) ? y : x);

/**
 * Lists how `actual` fails `expect` (empty: it matches). `path` prefixes every failure path.
 * Throws an Error on an authoring problem in `expect` (see validateExpect).
 */
export function match(expect: unknown, actual: unknown, path = ''): Failure[] {
  const problems = validateExpect(expect);
  if (problems.length > 0) throw new Error(`invalid expectation: ${problems.join('; ')}`);
  return sortFailures(collect(expect, actual, path).failures);
}

/** Sorts by path (plain code-unit order, so it is the same everywhere); equal paths keep their order. */
export function sortFailures(failures: Failure[]): Failure[] {
  return failures.map((f, i) => [f, i] as const)
    .sort(([a, i], [b, j]) => (a.path < b.path ? -1 : a.path > b.path ? 1 : i - j))
    .map(([f]) => f);
}

function collect(e: unknown, a: unknown, path: string): Acc {
  const out: Acc = { failures: [], ok: 0 };
  walk(e, a, path, out);
  return out;
}

/** Records the outcome of one comparison. */
function check(out: Acc, ok: boolean, path: string, expected: string, actual: string, message?: string): void {
  if (ok) out.ok++;
  else fail(out, path, expected, actual, message);
}

function walk(e: unknown, a: unknown, path: string, out: Acc): void {
  if (isOperatorNode(e)) return operators(e, a, path, out);
  if (Array.isArray(e)) return exact(e, a, path, out);
  if (isObj(e)) return object(e, a, path, out);
  check(out, scalarEqual(e as Scalar | null, a), path, render(e), render(a));
}

function object(e: Obj, a: unknown, path: string, out: Acc): void {
  const keys = Object.keys(e);
  if (absent(a)) {
    if (keys.length === 0) return fail(out, path, 'an object', MISSING);
    for (const k of keys) walk(e[k], undefined, keyPath(path, k), out);
    return;
  }
  if (!isObj(a)) return fail(out, path, keys.length ? render(e) : 'an object', render(a), `expected an object, got ${render(a)}`);
  for (const k of keys) walk(e[k], Object.hasOwn(a, k) ? a[k] : undefined, keyPath(path, k), out);
}

/** The actual list, `[]` for a missing one, or undefined (after recording a failure) for a non-list. */
function asList(exp: unknown, a: unknown, path: string, out: Acc): unknown[] | undefined {
  if (absent(a)) return [];
  if (Array.isArray(a)) return a;
  fail(out, path, describe(exp), render(a), `expected a list, got ${render(a)}`);
  return undefined;
}

function exact(e: unknown[], a: unknown, path: string, out: Acc): void {
  const list = asList(e, a, path, out);
  if (!list) return;
  if (list.length !== e.length) {
    return fail(out, path, render(e), absent(a) ? MISSING : render(a), `expected ${e.length} item(s) ${render(e)}, got ${list.length}${absent(a) ? '' : ` ${render(a)}`}`);
  }
  out.ok++;
  e.forEach((el, i) => walk(el, list[i], indexPath(path, i), out));
}

/**
 * Each expected element matched to a distinct actual element (maximum bipartite matching, Kuhn's
 * algorithm: lists here are short). Failures name the expected elements left without a partner.
 */
function distinct(e: unknown[], list: unknown[], a: unknown, path: string, out: Acc): void {
  const tries = e.map((el) => list.map((item, j) => collect(el, item, indexPath(path, j))));
  const ok = (i: number, j: number): boolean => tries[i]?.[j]?.failures.length === 0;
  const partner = new Array<number>(list.length).fill(-1);
  const augment = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < list.length; j++) {
      if (!ok(i, j) || seen[j]) continue;
      seen[j] = true;
      const other = partner[j] ?? -1;
      if (other < 0 || augment(other, seen)) {
        partner[j] = i;
        return true;
      }
    }
    return false;
  };
  e.forEach((el, i) => {
    if (augment(i, [])) {
      out.ok++;
      return;
    }
    const anyOk = list.some((_, j) => ok(i, j));
    let closest = '';
    if (!anyOk && list.length > 0) {
      const first = (tries[i] ?? []).reduce(closer).failures[0];
      if (first) closest = `; closest ${first.path}: ${first.message}`;
    }
    const why = anyOk ? 'no distinct item (another expected item took it)' : 'no item';
    fail(out, path, describe(el), absent(a) ? MISSING : render(a), `${why} matches ${describe(el)}${closest}`);
  });
}

function operators(e: Obj, a: unknown, path: string, out: Acc): void {
  const plain = Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('$') && !(k === 'items' && '$findBy' in e)));
  if (Object.keys(plain).length > 0) object(plain, a, path, out);
  for (const [op, v] of Object.entries(e)) {
    if (!op.startsWith('$')) continue;
    const got = render(a);
    switch (op) {
      case '$findBy': {
        const list = asList(e, a, path, out);
        if (!list) break;
        for (const item of e['items'] as Obj[]) {
          const key = item[v as string] as Scalar;
          const at = findPath(path, v as string, key);
          const found = list.findLast((x) => isObj(x) && scalarEqual(key, x[v as string]));
          if (found === undefined) fail(out, at, describe(item), MISSING, `expected an item with ${String(v)} ${String(key)}, got <missing>`);
          else {
            out.ok++;
            walk(item, found, at, out);
          }
        }
        break;
      }
      case '$contains': {
        const list = asList(e, a, path, out);
        if (list) distinct(v as unknown[], list, a, path, out);
        break;
      }
      case '$exact':
        exact(v as unknown[], a, path, out);
        break;
      case '$set': {
        const list = asList(e, a, path, out);
        if (!list) break;
        const want = v as unknown[];
        if (list.length !== want.length) {
          fail(out, path, describe({ $set: want }), absent(a) ? MISSING : got, `expected ${want.length} item(s) in any order, got ${list.length}${absent(a) ? '' : ` ${got}`}`);
        } else {
          out.ok++;
          distinct(want, list, a, path, out);
        }
        break;
      }
      case '$regex': {
        const ok = (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') && new RegExp(`^(?:${v as string})$`).test(String(a));
        check(out, ok, path, describe({ $regex: v }), got);
        break;
      }
      case '$oneOf':
        check(out, (v as Scalar[]).some((x) => scalarEqual(x, a)), path, describe({ $oneOf: v }), got);
        break;
      case '$gt': case '$gte': case '$lt': case '$lte': {
        const n = toNumber(a);
        const limit = toNumber(v) as number;
        const ok = n !== undefined && (op === '$gt' ? n > limit : op === '$gte' ? n >= limit : op === '$lt' ? n < limit : n <= limit);
        check(out, ok, path, describe({ [op]: v }), got);
        break;
      }
      case '$quantity': case '$quantityGte': case '$quantityLte': {
        const q = parseQuantity(a);
        const want = parseQuantity(v);
        if (!q || !want) {
          fail(out, path, describe({ [op]: v }), got, absent(a) ? `expected ${describe({ [op]: v })}, got <missing>` : `expected a quantity ${describe({ [op]: v })}, got ${got}`);
          break;
        }
        const c = compareQuantities(q, want);
        const ok = op === '$quantity' ? c === 0 : op === '$quantityGte' ? c >= 0 : c <= 0;
        check(out, ok, path, describe({ [op]: v }), got);
        break;
      }
      case '$base64': {
        if (typeof a !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(a) || a.length % 4 !== 0) {
          fail(out, path, render(v), got, absent(a) ? `expected ${render(v)} (base64), got <missing>` : `expected base64 of ${render(v)}, got ${got} (not base64)`);
          break;
        }
        const decoded = Buffer.from(a, 'base64').toString('utf8');
        check(out, decoded === v, path, render(v), render(decoded), `expected ${render(v)}, got ${render(decoded)} (decoded)`);
        break;
      }
      case '$absent':
        check(out, absent(a), path, '<absent>', got, `expected no value, got ${got}`);
        break;
      case '$exists':
        check(out, !absent(a), path, '<present>', MISSING, 'expected a value, got <missing>');
        break;
      case '$not':
        check(out, collect(v, a, path).failures.length > 0, path, describe({ $not: v }), got);
        break;
      case '$anyOf': {
        const results = (v as unknown[]).map((alt) => collect(alt, a, path));
        const passed = results.find((r) => r.failures.length === 0);
        const chosen = passed ?? results.reduce(closer);
        out.failures.push(...chosen.failures);
        out.ok += chosen.ok;
        break;
      }
      case '$allOf':
        for (const alt of v as unknown[]) walk(alt, a, path, out);
        break;
      case '$len': {
        const len = absent(a) ? 0 : Array.isArray(a) || typeof a === 'string' ? a.length : isObj(a) ? Object.keys(a).length : undefined;
        if (len === undefined) {
          fail(out, path, describe({ $len: v }), got, `expected something with a length, got ${got}`);
          break;
        }
        const want = toNumber(v);
        const r = collect(want ?? v, len, path);
        out.ok += r.ok;
        for (const f of r.failures) out.failures.push({ ...f, message: `length: ${f.message}` });
        break;
      }
    }
  }
}

/**
 * Structural equality of JSON values where a missing value equals null (the API omits what is null), used
 * to compare live values with their baseline. No scalar coercion: the same field keeps its type.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) || isObj(b)) {
    if (!isObj(a) || !isObj(b)) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  return a === b;
}

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
 *   {$base64: "plain"}  the actual string is the base64 of "plain" (Secret data).
 *   {$image: "nginx:1.28"}  the same image however spelled: `docker.io/library/nginx:1.28`,
 *                 `index.docker.io/library/nginx:1.28`; no tag means `latest` (graders/image.ts). A plain string
 *                 under a key `image` is compared this way, so `image: nginx:1.28` needs no operator.
 *   {$absent: true}     the key is missing or null.   {$exists: true}  it is present and not null.
 *   {$not: exp}         passes iff exp fails.
 *   {$anyOf: [exp...]}  one alternative passes; otherwise the failures of the closest alternative are
 *                 reported: the one that got furthest (most comparisons passed, then fewest failures, then
 *                 first), so a candidate who tried `env` hears about `env`, not about `envFrom`.
 *   {$allOf: [exp...]}  every alternative passes.
 *   {$len: n | exp}     length of a list or string, or the number of keys of an object; missing is 0.
 *
 * Each operator is one entry of graders/operators.ts ({validate, describe, match}); paths are graders/path.ts.
 *
 * What failures show
 *   Secret data (`data`, `stringData` of an object of kind Secret) is never shown: a failure says that it
 *   differs, with its length ("<hidden: 14 characters>"), or how when that is all ("<hidden: differs only by
 *   a trailing newline>"), unless the actual value equals the expected one, which is public task data. A
 *   whole Secret shown elsewhere has its data replaced the same way. This holds for every output at once
 *   (text, JSON, JUnit, the console), since they all print these failures.
 *   Strings that differ only in whitespace are quoted with escapes: `expected "hello", got "hello\n"`.
 *   An empty `namespaceSelector: {}` or `podSelector: {}` that fails is reported as what it does (it selects
 *   every namespace / every Pod), not as the keys it lacks.
 *
 * An unknown operator or a malformed operand is an authoring bug: `match` throws, `validateExpect` lists
 * them all (tasks lint runs it). Failures come back sorted by path, in a stable order.
 */
import { sortFailures, type Failure } from './failure.ts';
import { closer, describeExpectation, isBase64, isOperatorNode, operatorOf, OPERATORS, plainPart, type Acc, type Message, type Walk } from './operators.ts';
import { indexPath, keyPath } from './path.ts';
import { absent, differOnlyInWhitespace, formatValue, isObj, isScalar, MISSING, scalarEqual, type Obj, type Scalar } from './values.ts';

export { Failure, sortFailures } from './failure.ts';
export { describeExpectation } from './operators.ts';
export { MISSING, formatValue } from './values.ts';

// ---------------------------------------------------------------------------------------- validation

const where = (path: string): string => path || '<root>';

/** Every authoring problem in an expectation tree, each prefixed with its path. Empty when it is fine. */
export function validateExpect(expect: unknown): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (node === null) {
      problems.push(`${where(path)}: null (an empty YAML value?) expects nothing; write {$absent: true} to expect a missing field`);
    } else if (Array.isArray(node)) {
      node.forEach((el, i) => visit(el, indexPath(path, i)));
    } else if (isOperatorNode(node)) {
      const say = (message: string): void => void problems.push(`${where(path)}: ${message}`);
      const ops = Object.keys(node).filter((k) => k.startsWith('$'));
      const plain = Object.keys(plainPart(node));
      for (const op of ops.filter((o) => !operatorOf(o))) {
        const near = Object.keys(OPERATORS).find((o) => o.toLowerCase() === op.toLowerCase());
        say(`unknown operator ${op}${near ? ` (did you mean ${near}?)` : ''}`);
      }
      const whole = ops.filter((o) => operatorOf(o) && !operatorOf(o)?.combinator);
      if (plain.length > 0 && whole.length > 0) {
        const combinators = Object.keys(OPERATORS).filter((o) => operatorOf(o)?.combinator);
        say(`plain keys (${plain.join(', ')}) cannot sit next to ${whole.join(', ')}; only ${combinators.slice(0, -1).join(', ')} and ${combinators.at(-1)} may`);
      }
      for (const op of ops) operatorOf(op)?.validate(node[op], { node, say, visit, path });
      for (const k of plain) visit(node[k], keyPath(path, k));
    } else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) visit(v, keyPath(path, k));
    }
  };
  visit(expect, '');
  return problems;
}

// ------------------------------------------------------------------------------------------- matching

/**
 * Lists how `actual` fails `expect` (empty: it matches). `path` prefixes every failure path.
 * Throws an Error on an authoring problem in `expect` (see validateExpect).
 */
export function match(expect: unknown, actual: unknown, path = ''): Failure[] {
  const problems = validateExpect(expect);
  if (problems.length > 0) throw new Error(`invalid expectation: ${problems.join('; ')}`);
  const walker = new Walker({ failures: [], ok: 0 }, undefined);
  walker.walk(expect, actual, path);
  return sortFailures(walker.out.failures);
}

/** Secret data under the walk: `data` holds base64, `stringData` plain text. Never shown. */
type SecretData = 'base64' | 'plain';

const isSecret = (v: unknown): v is Obj => isObj(v) && v['kind'] === 'Secret';

/**
 * Label selectors whose empty form `{}` selects everything, which is rarely what an author expects a
 * candidate to mean: a failure there says so instead of pointing at one of the keys the selector lacks.
 */
const EMPTY_SELECTS: Readonly<Record<string, string>> = {
  namespaceSelector: 'every namespace: leave it out to mean the own namespace, or say which with matchLabels or matchExpressions',
  podSelector: 'every Pod: say which with matchLabels or matchExpressions',
};
const isEmptySelector = (v: unknown): boolean =>
  isObj(v) && Object.values(v).every((x) => absent(x) || (isObj(x) && Object.keys(x).length === 0) || (Array.isArray(x) && x.length === 0));

class Walker implements Walk {
  readonly out: Acc;
  readonly secret: SecretData | undefined;
  constructor(out: Acc, secret: SecretData | undefined) {
    this.out = out;
    this.secret = secret;
  }

  walk(e: unknown, a: unknown, path: string): void {
    if (isOperatorNode(e)) return this.operators(e, a, path);
    if (Array.isArray(e)) return this.exact(e, a, path);
    if (isObj(e)) return this.object(e, a, path);
    this.check(scalarEqual(e as Scalar | null, a), path, formatValue(e), a, undefined, e);
  }

  trial(e: unknown, a: unknown, path: string, derived?: 'length' | 'decoded'): Acc {
    const secret = derived === 'length' ? undefined : derived === 'decoded' && this.secret ? 'plain' : this.secret;
    const w = new Walker({ failures: [], ok: 0 }, secret);
    w.walk(e, a, path);
    return w.out;
  }

  merge(r: Acc): void {
    this.out.failures.push(...r.failures);
    this.out.ok += r.ok;
  }

  check(ok: boolean, path: string, expected: string, actual: unknown, message?: Message, compared?: unknown): void {
    if (ok) {
      this.out.ok++;
      return;
    }
    let want = expected;
    let got: string;
    if (this.secret) got = hiddenValue(actual, compared, this.secret);
    else if (differOnlyInWhitespace(compared, actual)) {
      want = JSON.stringify(compared);
      got = JSON.stringify(actual);
    } else got = formatValue(redactSecrets(actual));
    this.out.failures.push({ path, expected: want, actual: got, message: message ? message(got, want) : `expected ${want}, got ${got}` });
  }

  list(node: unknown, a: unknown, path: string): unknown[] | undefined {
    if (absent(a)) return [];
    if (Array.isArray(a)) return a;
    this.check(false, path, describeExpectation(node), a, (got) => `expected a list, got ${got}`);
    return undefined;
  }

  exact(e: unknown[], a: unknown, path: string): void {
    const list = this.list(e, a, path);
    if (!list) return;
    const shown = absent(a) ? undefined : a;
    this.check(list.length === e.length, path, formatValue(e), shown,
      (got) => `expected ${e.length} item(s) ${formatValue(e)}, got ${list.length}${absent(a) ? '' : ` ${got}`}`);
    if (list.length === e.length) e.forEach((el, i) => this.walk(el, list[i], indexPath(path, i)));
  }

  /**
   * Each expected element matched to a distinct actual element (maximum bipartite matching, Kuhn's
   * algorithm: lists here are short). Failures name the expected elements left without a partner.
   */
  distinct(e: unknown[], list: unknown[], a: unknown, path: string): void {
    const tries = e.map((el) => list.map((item, j) => this.trial(el, item, indexPath(path, j))));
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
      if (augment(i, [])) return void this.out.ok++;
      const anyOk = list.some((_, j) => ok(i, j));
      let closest = '';
      if (!anyOk && list.length > 0) {
        const first = (tries[i] ?? []).reduce(closer).failures[0];
        if (first) closest = `; closest ${first.path}: ${first.message}`;
      }
      const why = anyOk ? 'no distinct item (another expected item took it)' : 'no item';
      this.check(false, path, describeExpectation(el), absent(a) ? undefined : a, () => `${why} matches ${describeExpectation(el)}${closest}`);
    });
  }

  private object(e: Obj, a: unknown, path: string): void {
    const keys = Object.keys(e);
    if (absent(a)) {
      if (keys.length === 0) return this.check(false, path, 'an object', undefined);
      for (const k of keys) this.walk(asExpectation(k, e[k]), undefined, keyPath(path, k));
      return;
    }
    if (!isObj(a)) return this.check(false, path, keys.length ? formatValue(e) : 'an object', a, (got) => `expected an object, got ${got}`);
    for (const k of keys) {
      const child = Object.hasOwn(a, k) ? a[k] : undefined;
      const at = keyPath(path, k);
      const exp = asExpectation(k, e[k]);
      if (isSecret(a) && (k === 'data' || k === 'stringData')) new Walker(this.out, k === 'data' ? 'base64' : 'plain').walk(exp, child, at);
      else if (Object.hasOwn(EMPTY_SELECTS, k) && isEmptySelector(child)) this.emptySelector(k, exp, child, at);
      else this.walk(exp, child, at);
    }
  }

  /** An empty selector that fails: say that it selects everything rather than which key it lacks. */
  private emptySelector(key: string, e: unknown, a: unknown, path: string): void {
    const r = this.trial(e, a, path);
    if (r.failures.length === 0) return this.merge(r);
    this.out.ok += r.ok;
    const want = describeExpectation(e);
    this.out.failures.push({ path, expected: want, actual: '{}', message: `an empty ${key} {} selects ${EMPTY_SELECTS[key]}` });
  }

  private operators(e: Obj, a: unknown, path: string): void {
    const plain = plainPart(e);
    if (Object.keys(plain).length > 0) this.object(plain, a, path);
    for (const [op, operand] of Object.entries(e)) operatorOf(op)?.match(operand, a, path, this, e);
  }
}

/** A plain string under `image` is an image reference: `nginx:1.28` also matches `docker.io/library/nginx:1.28`. */
const asExpectation = (key: string, e: unknown): unknown => (key === 'image' && typeof e === 'string' ? { $image: e } : e);

/**
 * A live value found at `path` of an object of `kind` as a failure may show it: Secret data hidden (see
 * hiddenValue), other values as formatValue. For failures built outside the matcher (`unchanged` checks).
 */
export function formatActual(value: unknown, at: { kind: string | undefined; path: string; expected?: unknown }): string {
  const key = /^[A-Za-z]+/.exec(at.path)?.[0];
  if (at.kind === 'Secret' && (key === 'data' || key === 'stringData')) return hiddenValue(value, at.expected, key === 'data' ? 'base64' : 'plain');
  return formatValue(redactSecrets(value));
}

/**
 * Secret data as a failure may show it: never the value, only that it differs, how (only whitespace, a
 * trailing newline) and its length. A value equal to `compared`, the expected value, is public task data.
 */
function hiddenValue(actual: unknown, compared: unknown, secret: SecretData): string {
  if (absent(actual)) return MISSING;
  if (isScalar(compared) && scalarEqual(compared, actual)) return formatValue(actual);
  let a = actual;
  let e = compared;
  if (secret === 'base64' && isBase64(a)) {
    a = Buffer.from(a, 'base64').toString('utf8');
    if (isBase64(e)) e = Buffer.from(e, 'base64').toString('utf8');
  }
  if (typeof a === 'string') {
    if (typeof e === 'string' && a === `${e}\n`) return '<hidden: differs only by a trailing newline>';
    if (typeof e === 'string' && e === `${a}\n`) return '<hidden: differs only by the missing trailing newline>';
    if (differOnlyInWhitespace(e, a)) return '<hidden: differs only in whitespace>';
    return `<hidden: ${a.length} character${a.length === 1 ? '' : 's'}>`;
  }
  if (isObj(a)) return `<hidden: keys ${Object.keys(a).join(', ')}>`;
  if (Array.isArray(a)) return `<hidden: ${a.length} item(s)>`;
  return '<hidden>';
}

/** A Secret (or a list of them) with its data replaced by what hiddenValue says, for showing whole objects. */
function redactSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.some(isSecret) ? v.map(redactSecrets) : v;
  if (!isSecret(v)) return v;
  const out: Obj = { ...v };
  if (!absent(v['data'])) out['data'] = hiddenValue(v['data'], undefined, 'base64');
  if (!absent(v['stringData'])) out['stringData'] = hiddenValue(v['stringData'], undefined, 'plain');
  return out;
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

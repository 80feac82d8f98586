// The expectation operators, one entry each: how its operand is validated, how it reads in a failure, and
// how it matches. Adding an operator means adding one entry here (and a line in match.ts's reference).
import type { Failure } from './failure.ts';
import { sameImage } from './image.ts';
import { findPath, indexPath } from './path.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';
import { absent, formatValue, isObj, isScalar, MISSING, scalarEqual, toNumber, truncate, type Obj, type Scalar } from './values.ts';

/**
 * Failures so far, and how many comparisons passed: the latter says how far a near miss got, so that
 * `$anyOf` and `$contains` can point at the closest alternative rather than the shortest one.
 */
export type Acc = { failures: Failure[]; ok: number };

/** What an operator's `match` is given: the walk it is part of (see match.ts). */
export interface Walk {
  /** Matches a sub-expectation against `a`, recording into the same result. */
  walk(e: unknown, a: unknown, path: string): void;
  /**
   * Matches a sub-expectation into a result of its own (an alternative, a candidate item). `derived` says
   * what `a` is if not the value itself: its `length` (shown even for Secret data) or its base64-`decoded`
   * text (hidden as the value is).
   */
  trial(e: unknown, a: unknown, path: string, derived?: 'length' | 'decoded'): Acc;
  /** Adds another result (the chosen alternative) to this one. */
  merge(r: Acc): void;
  /**
   * Records one comparison. `actual` is the raw value, shown by the walk (hidden for Secret data); `message`
   * gets the shown actual. `compared` is the expected value it was compared with, when there is one: it is
   * public task data, and tells which differences to point out.
   */
  check(ok: boolean, path: string, expected: string, actual: unknown, message?: Message, compared?: unknown): void;
  /** The actual list, `[]` for a missing one, or undefined (after recording a failure) for a non-list. */
  list(node: unknown, a: unknown, path: string): unknown[] | undefined;
  /** Same length, element i matches element i. */
  exact(e: unknown[], a: unknown, path: string): void;
  /** Each expected element matches a different element of `list`. */
  distinct(e: unknown[], list: unknown[], a: unknown, path: string): void;
}

/** A failure's message from the actual and expected as shown; the default is `expected <want>, got <got>`. */
export type Message = (got: string, want: string) => string;

export type Validation = {
  /** The operator node the operand sits in. */
  node: Obj;
  /** Records a problem with the operand. */
  say(message: string): void;
  /** Validates a sub-expectation of the operand at `path` (where in the operand, not the live object). */
  visit(child: unknown, path: string): void;
  path: string;
};

export type Operator = {
  /** Problems with the operand; sub-expectations are visited through `v.visit`. */
  validate(operand: unknown, v: Validation): void;
  /** The operand as a failure's `expected` reads it; `describeChild` describes a sub-expectation. */
  describe(operand: unknown, node: Obj, describeChild: (exp: unknown) => string): string;
  /** Records how `a` fails the operand (the operand is valid: validate ran first). */
  match(operand: unknown, a: unknown, path: string, w: Walk, node: Obj): void;
  /** May sit beside plain keys, and then matches the same node. */
  combinator?: boolean;
  /** Plain keys that belong to the operator (`items` of `$findBy`). */
  companions?: readonly string[];
};

/** Where inside an operator's operand a validation problem is (never a path into the live object). */
const opPath = (path: string, op: string): string => (path ? `${path}.${op}` : op);

/** A node with at least one `$` key: matched by its operators. */
export const isOperatorNode = (v: unknown): v is Obj => isObj(v) && Object.keys(v).some((k) => k.startsWith('$'));

const visitList = (op: string) => (operand: unknown, v: Validation): void => {
  if (Array.isArray(operand)) operand.forEach((el, i) => v.visit(el, indexPath(opPath(v.path, op), i)));
};

type Compare = (n: number, limit: number) => boolean;
const numeric = (symbol: string, cmp: Compare, op: string): Operator => ({
  validate: (operand, v) => {
    if (toNumber(operand) === undefined) v.say(`${op} needs a number, got ${formatValue(operand)}`);
  },
  describe: (operand) => `${symbol} ${String(operand)}`,
  match: (operand, a, path, w) => {
    const n = toNumber(a);
    w.check(n !== undefined && cmp(n, toNumber(operand) as number), path, `${symbol} ${String(operand)}`, a);
  },
});

const quantity = (symbol: string, ok: (c: number) => boolean, op: string): Operator => ({
  validate: (operand, v) => {
    if (parseQuantity(operand) === undefined) v.say(`${op} needs a Kubernetes quantity (e.g. 128Mi, 500m), got ${formatValue(operand)}`);
  },
  describe: (operand) => `${symbol}${String(operand)}`,
  match: (operand, a, path, w) => {
    const want = `${symbol}${String(operand)}`;
    const q = parseQuantity(a);
    if (!q) {
      w.check(false, path, want, a, (got) => (absent(a) ? `expected ${want}, got ${MISSING}` : `expected a quantity ${want}, got ${got}`));
      return;
    }
    w.check(ok(compareQuantities(q, parseQuantity(operand) as NonNullable<ReturnType<typeof parseQuantity>>)), path, want, a);
  },
});

const presence = (op: '$absent' | '$exists'): Operator => ({
  validate: (operand, v) => {
    if (operand !== true) v.say(`${op} takes only true (use ${op === '$absent' ? '$exists' : '$absent'} for the opposite)`);
  },
  describe: () => (op === '$absent' ? '<absent>' : '<present>'),
  match: (_operand, a, path, w) => {
    if (op === '$absent') w.check(absent(a), path, '<absent>', a, (got) => `expected no value, got ${got}`);
    else w.check(!absent(a), path, '<present>', undefined, () => `expected a value, got ${MISSING}`);
  },
});

const alternatives = (op: '$anyOf' | '$allOf'): Operator => ({
  combinator: true,
  validate: (operand, v) => {
    if (!Array.isArray(operand) || operand.length === 0) v.say(`${op} needs a non-empty list of expectations`);
    visitList(op)(operand, v);
  },
  describe: (operand, _node, describeChild) =>
    op === '$anyOf' ? `any of ${(operand as unknown[]).map(describeChild).join(' | ')}` : (operand as unknown[]).map(describeChild).join(' and '),
  match: (operand, a, path, w) => {
    if (op === '$allOf') {
      for (const alt of operand as unknown[]) w.walk(alt, a, path);
      return;
    }
    // One alternative passes; otherwise report the one that got furthest.
    const results = (operand as unknown[]).map((alt) => w.trial(alt, a, path));
    w.merge(results.find((r) => r.failures.length === 0) ?? results.reduce(closer));
  },
});

/** Of two near misses, the one that got further: more comparisons passed, then fewer failures. */
export const closer = (x: Acc, y: Acc): Acc => (y.ok > x.ok || (y.ok === x.ok && y.failures.length < x.failures.length) ? y : x);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
export const isBase64 = (a: unknown): a is string => typeof a === 'string' && BASE64.test(a) && a.length % 4 === 0;

export const OPERATORS: Readonly<Record<string, Operator>> = {
  $findBy: {
    companions: ['items'],
    validate: (by, v) => {
      if (typeof by !== 'string' || by === '') return v.say('$findBy needs a key name, e.g. $findBy: name');
      const items = v.node['items'];
      if (!Array.isArray(items) || items.length === 0) return v.say('$findBy needs a non-empty list `items`');
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const key = isObj(item) ? item[by] : undefined;
        if (!isScalar(key)) v.say(`$findBy items[${i}] needs a plain \`${by}\` value to be found by`);
        else if (seen.has(String(key))) v.say(`$findBy items has ${by} ${String(key)} twice`);
        else seen.add(String(key));
        v.visit(item, isScalar(key) ? findPath(v.path, by, key) : indexPath(opPath(v.path, 'items'), i));
      });
    },
    describe: (by, node) => `items by ${String(by)}: ${formatValue(node['items'])}`,
    match: (by, a, path, w, node) => {
      const list = w.list(node, a, path);
      if (!list) return;
      for (const item of node['items'] as Obj[]) {
        const key = item[by as string] as Scalar;
        const at = findPath(path, by as string, key);
        const found = list.findLast((x) => isObj(x) && scalarEqual(key, x[by as string]));
        if (found === undefined) w.check(false, at, formatValue(item), undefined, () => `expected an item with ${String(by)} ${String(key)}, got ${MISSING}`);
        else {
          w.check(true, at, '', found);
          w.walk(item, found, at);
        }
      }
    },
  },
  $contains: {
    validate: (operand, v) => {
      if (!Array.isArray(operand) || operand.length === 0) v.say('$contains needs a non-empty list (an empty one matches anything)');
      visitList('$contains')(operand, v);
    },
    describe: (operand) => `containing ${formatValue(operand)}`,
    match: (operand, a, path, w, node) => {
      const list = w.list(node, a, path);
      if (list) w.distinct(operand as unknown[], list, a, path);
    },
  },
  $exact: {
    validate: (operand, v) => {
      if (!Array.isArray(operand)) v.say('$exact needs a list');
      visitList('$exact')(operand, v);
    },
    describe: (operand) => formatValue(operand),
    match: (operand, a, path, w) => w.exact(operand as unknown[], a, path),
  },
  $set: {
    validate: (operand, v) => {
      if (!Array.isArray(operand)) v.say('$set needs a list');
      visitList('$set')(operand, v);
    },
    describe: (operand) => `${formatValue(operand)} in any order`,
    match: (operand, a, path, w, node) => {
      const list = w.list(node, a, path);
      if (!list) return;
      const want = operand as unknown[];
      const sameLength = list.length === want.length;
      w.check(sameLength, path, `${formatValue(want)} in any order`, absent(a) ? undefined : a,
        (got) => `expected ${want.length} item(s) in any order, got ${list.length}${absent(a) ? '' : ` ${got}`}`);
      if (sameLength) w.distinct(want, list, a, path);
    },
  },
  $regex: {
    validate: (operand, v) => {
      if (typeof operand !== 'string') return v.say('$regex needs a string');
      try {
        new RegExp(`^(?:${operand})$`);
      } catch (err) {
        v.say(`$regex ${operand}: ${(err as Error).message}`);
      }
    },
    describe: (operand) => `matching /${String(operand)}/`,
    match: (operand, a, path, w) => {
      const ok = isScalar(a) && new RegExp(`^(?:${operand as string})$`).test(String(a));
      w.check(ok, path, `matching /${String(operand)}/`, a);
    },
  },
  $oneOf: {
    validate: (operand, v) => {
      if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) v.say('$oneOf needs a non-empty list of plain values');
    },
    describe: (operand) => `one of ${(operand as unknown[]).map(formatValue).join(', ')}`,
    match: (operand, a, path, w) => {
      const ok = (operand as Scalar[]).some((x) => scalarEqual(x, a));
      w.check(ok, path, `one of ${(operand as unknown[]).map(formatValue).join(', ')}`, a);
    },
  },
  $gt: numeric('>', (n, l) => n > l, '$gt'),
  $gte: numeric('>=', (n, l) => n >= l, '$gte'),
  $lt: numeric('<', (n, l) => n < l, '$lt'),
  $lte: numeric('<=', (n, l) => n <= l, '$lte'),
  $quantity: quantity('', (c) => c === 0, '$quantity'),
  $quantityGte: quantity('>= ', (c) => c >= 0, '$quantityGte'),
  $quantityLte: quantity('<= ', (c) => c <= 0, '$quantityLte'),
  $image: {
    validate: (operand, v) => {
      if (typeof operand !== 'string' || operand.trim() === '') v.say('$image needs an image reference, e.g. nginx:1.27');
    },
    describe: (operand) => String(operand),
    match: (operand, a, path, w) => {
      w.check(typeof a === 'string' && sameImage(operand as string, a), path, String(operand), a, undefined, operand);
    },
  },
  $base64: {
    validate: (operand, v) => {
      if (typeof operand !== 'string') v.say('$base64 needs the plain (decoded) string');
    },
    describe: (operand) => formatValue(operand),
    match: (operand, a, path, w) => {
      const want = formatValue(operand);
      if (!isBase64(a)) {
        w.check(false, path, want, a, (got) => (absent(a) ? `expected ${want} (base64), got ${MISSING}` : `expected base64 of ${want}, got ${got} (not base64)`));
        return;
      }
      const r = w.trial(operand, Buffer.from(a, 'base64').toString('utf8'), path, 'decoded');
      w.merge({ ok: r.ok, failures: r.failures.map((f) => ({ ...f, message: `${f.message} (decoded)` })) });
    },
  },
  $absent: presence('$absent'),
  $exists: presence('$exists'),
  $anyOf: alternatives('$anyOf'),
  $allOf: alternatives('$allOf'),
  $not: {
    combinator: true,
    validate: (operand, v) => {
      if (operand === undefined || operand === null) v.say('$not needs an expectation');
      else if (isObj(operand)) v.visit(operand, opPath(v.path, '$not'));
    },
    describe: (operand, _node, describeChild) => `not ${describeChild(operand)}`,
    match: (operand, a, path, w) => {
      w.check(w.trial(operand, a, path).failures.length > 0, path, `not ${describeExpectation(operand)}`, a, undefined, isScalar(operand) ? operand : undefined);
    },
  },
  $len: {
    validate: (operand, v) => {
      const n = toNumber(operand);
      if (n !== undefined ? !Number.isInteger(n) || n < 0 : !isOperatorNode(operand)) {
        v.say('$len needs a non-negative integer or an operator expectation such as {$gte: 1}');
      }
      if (isObj(operand)) v.visit(operand, opPath(v.path, '$len'));
    },
    describe: (operand, _node, describeChild) => `length ${describeChild(operand)}`,
    match: (operand, a, path, w) => {
      const len = absent(a) ? 0 : Array.isArray(a) || typeof a === 'string' ? a.length : isObj(a) ? Object.keys(a).length : undefined;
      if (len === undefined) {
        w.check(false, path, `length ${describeExpectation(operand)}`, a, (got) => `expected something with a length, got ${got}`);
        return;
      }
      const r = w.trial(toNumber(operand) ?? operand, len, path, 'length');
      w.merge({ ok: r.ok, failures: r.failures.map((f) => ({ ...f, message: `length: ${f.message}` })) });
    },
  },
};

/** An expectation as failures show it: `nginx:1.27`, `>= 2`, `matching /nginx:1\.2\d/`, `<absent>`. */
export function describeExpectation(exp: unknown): string {
  if (!isOperatorNode(exp)) return formatValue(exp);
  const parts: string[] = [];
  const plain = plainPart(exp);
  if (Object.keys(plain).length > 0) parts.push(formatValue(plain));
  for (const [op, operand] of Object.entries(exp)) {
    const entry = operatorOf(op);
    if (entry) parts.push(entry.describe(operand, exp, describeExpectation));
  }
  return truncate(parts.join(' and '));
}

/** The operator named `op`, if there is one (an own key: `$constructor` is not one). */
export const operatorOf = (op: string): Operator | undefined => (Object.hasOwn(OPERATORS, op) ? OPERATORS[op] : undefined);

/** The keys of an operator node that are plain expectations on the same node (not operators or their companions). */
export function plainPart(node: Obj): Obj {
  const companions = new Set(Object.keys(node).flatMap((k) => operatorOf(k)?.companions ?? []));
  return Object.fromEntries(Object.entries(node).filter(([k]) => !k.startsWith('$') && !companions.has(k)));
}


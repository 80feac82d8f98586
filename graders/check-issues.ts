// Authoring problems in one check that the task schema cannot see, in one place: `tasks lint` lists them with
// file:line:col, and grading refuses such a check (the engine reports it as a check error).
import { accessCheckProblems } from './checks/access.ts';
import { fileCheckProblems } from './checks/file.ts';
import { customChecks, validateCustomCheck } from './custom/index.ts';
import { isNamespaced, kindProblems } from './kinds.ts';
import { validateExpect } from './match.ts';
import { parsePath } from './path.ts';
import { parseSelector } from './selector.ts';
import type { Check } from '../tasks/schema.ts';

/** An authoring problem in one check; `at` is where in the check (tasks lint adds file:line:col for it). */
export type CheckIssue = { at: ('expect' | 'count' | 'every' | 'some' | 'args' | 'custom')[]; message: string };

/**
 * Authoring problems in one check that the schema cannot see: unknown kinds, namespaces on cluster-scoped
 * kinds, bad expectations, selectors and paths, list checks that assert nothing, unknown custom checks or
 * bad args. The one place for these rules: tasks lint lists them, grading refuses such a check (an error).
 */
export function checkIssues(check: Check): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      issues.push({ at: [], message: `${what}: ${(err as Error).message}` });
    }
  };
  const ref = 'object' in check ? check.object : 'absent' in check ? check.absent : 'unchanged' in check ? check.unchanged : 'list' in check ? check.list : undefined;
  if (ref) {
    for (const p of kindProblems(ref.kind, ref.apiVersion)) issues.push({ at: [], message: `kind: ${p}` });
    if (ref.namespace !== undefined && !isNamespaced(ref.kind)) issues.push({ at: [], message: `namespace: ${ref.kind} is cluster-scoped` });
  }
  if ('unchanged' in check) for (const p of check.unchanged.paths) guard('paths', () => parsePath(p));
  if ('list' in check) {
    if (check.list.selector !== undefined) guard('list.selector', () => parseSelector(check.list.selector ?? ''));
    if (check.count === undefined && check.every === undefined && check.some === undefined) {
      issues.push({ at: [], message: 'list: give count, every or some (a list check with none passes for anything)' });
    }
  }
  const expectations = (at: 'expect' | 'count' | 'every' | 'some', exp: unknown): void => {
    for (const message of validateExpect(exp)) issues.push({ at: [at], message });
  };
  if ('object' in check) expectations('expect', check.expect);
  if ('list' in check) {
    if (check.count !== undefined) expectations('count', check.count);
    if (check.every !== undefined) expectations('every', check.every);
    if (check.some !== undefined) expectations('some', check.some);
  }
  if ('file' in check) {
    for (const message of fileCheckProblems(check.file)) issues.push({ at: [], message });
    for (const [field, exp] of [['yaml', check.file.yaml], ['json', check.file.json], ['equalsQuery.where', check.file.equalsQuery?.where]] as const) {
      if (exp !== undefined) for (const message of validateExpect(exp)) issues.push({ at: [], message: `file.${field}.${message}` });
    }
    const q = check.file.equalsQuery;
    if (q) {
      for (const p of kindProblems(q.list.kind, q.list.apiVersion)) issues.push({ at: [], message: `file.equalsQuery.list.kind: ${p}` });
      if (q.list.selector !== undefined) guard('file.equalsQuery.list.selector', () => parseSelector(q.list.selector ?? ''));
      guard('file.equalsQuery.field', () => parsePath(q.field));
    }
  }
  if ('access' in check) for (const message of accessCheckProblems(check.access)) issues.push({ at: [], message });
  if ('helmRelease' in check) expectations('expect', check.expect);
  if ('custom' in check) {
    const at = Object.hasOwn(customChecks, check.custom) ? 'args' : 'custom';
    for (const message of validateCustomCheck(check.custom, check.args)) issues.push({ at: [at], message });
  }
  return issues;
}

/** {@link checkIssues} as lines: `kind: unknown kind "Deploymnet"`, `expect.spec.replicas: $gte needs a number`. */
export function validateCheck(check: Check): string[] {
  return checkIssues(check).map((i) => (i.at[0] === undefined || i.at[0] === 'args' || i.at[0] === 'custom' ? i.message : `${i.at[0]}.${i.message}`));
}

/** Grading and baselines refuse a check with authoring problems (the engine reports it as a check error). */
export function throwIfInvalid(check: Check): void {
  const issues = validateCheck(check);
  if (issues.length > 0) throw new Error(`invalid check "${check.name}": ${issues.join('; ')}`);
}

// zod issues as task authors read them: one message per problem, in our words ("missing (required)", "expected
// a positive number, got 0"), and of a union only the branch the author evidently meant.
import type { z } from 'zod';
import type { PathSegment } from './load.ts';

export type FlatIssue = { path: PathSegment[]; message: string };

/** Messages for the issues a task file can have; messages set in the schema (refine, regex) take precedence. */
export function issueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'missing (required)';
      return `expected ${typeName(iss.expected)}, got ${describeValue(iss.input)}`;
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'number' || iss.origin === 'int') {
        if (min === 0 && !iss.inclusive) return `expected a positive number, got ${describeValue(iss.input)}`;
        return `must be ${iss.inclusive ? 'at least' : 'greater than'} ${min}, got ${describeValue(iss.input)}`;
      }
      if (iss.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters long`;
      if (iss.origin === 'array') return `must have at least ${min} item${min === 1 ? '' : 's'}`;
      return undefined;
    }
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'number' || iss.origin === 'int') {
        return `must be ${iss.inclusive ? 'at most' : 'less than'} ${max}, got ${describeValue(iss.input)}`;
      }
      if (iss.origin === 'string') return `must be at most ${max} characters long`;
      if (iss.origin === 'array') return `must have at most ${max} items`;
      return undefined;
    }
    case 'invalid_value':
      if (iss.input === undefined) return `missing (required): one of ${iss.values.map((v) => String(v)).join(', ')}`;
      return `expected one of ${iss.values.map((v) => String(v)).join(', ')}; got ${describeValue(iss.input)}`;
    case 'invalid_format':
      return iss.format === 'url' ? `expected a URL, got ${describeValue(iss.input)}` : `expected a valid ${iss.format}`;
    default:
      return undefined;
  }
}

function typeName(expected: string): string {
  return expected === 'int' ? 'an integer' : expected === 'record' ? 'object' : expected;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v.length > 40 ? 'a long string' : JSON.stringify(v);
  return String(v);
}

export function flattenIssues(issues: readonly z.core.$ZodIssue[], base: readonly PathSegment[]): FlatIssue[] {
  const out: FlatIssue[] = [];
  const seen = new Set<string>();
  const add = (i: FlatIssue) => {
    const key = JSON.stringify([i.path, i.message]);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(i);
    }
  };
  for (const issue of issues) {
    const path = [...base, ...issue.path.filter((s): s is PathSegment => typeof s !== 'symbol')];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      for (const i of closestBranch(issue.errors, path, issue.input)) add(i);
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add({ path: [...path, key], message: 'unknown key' });
    } else {
      add({ path, message: issue.message });
    }
  }
  return out;
}

/**
 * A union (a check's kinds, a setup step's kinds, a param) reports every alternative's issues; only the
 * alternative the author evidently meant is worth reading. That is the one with the fewest shape mismatches
 * (a wrong type counts twice, an unknown or missing top-level key once), then the fewest issues; ties go to
 * the first.
 */
function closestBranch(branches: readonly (readonly z.core.$ZodIssue[])[], path: readonly PathSegment[], input: unknown): FlatIssue[] {
  const typeOnly = branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0);
  if (typeOnly) {
    const expected = [...new Set(branches.map((b) => (b[0]?.code === 'invalid_type' ? typeName(b[0].expected) : '')))];
    return [{ path: [...path], message: input === undefined ? 'missing (required)' : `expected ${expected.join(' or ')}, got ${describeValue(input)}` }];
  }
  let best: { shape: number; flat: FlatIssue[] } | undefined;
  for (const branch of branches) {
    // A value of the wrong type weighs more than a missing or unknown key: `{choices: [...]}` without `value`
    // is an object param lacking `value`, not a string param.
    const shape = branch.reduce((n, i) => {
      if (i.path.length === 0 && i.code === 'invalid_type') return n + 2;
      if (i.path.length === 0 && i.code === 'unrecognized_keys') return n + 1;
      return i.path.length === 1 && i.code === 'invalid_type' && i.input === undefined ? n + 1 : n;
    }, 0);
    const flat = flattenIssues(branch, path);
    if (best === undefined || shape < best.shape || (shape === best.shape && flat.length < best.flat.length)) {
      best = { shape, flat };
    }
  }
  return best?.flat ?? [];
}

// Binds a task's values (namespaces, params, workdir) and renders its templates.
//
// Template syntax, in every string of a task (and in mapping keys, so an expectation can name a ConfigMap key
// that is a param):
//   {{ name }}         the value of `name`: a key of `namespaces`, a key of `params`, or `workdir`
//   {{ name | b64 }}   the value, base64-encoded (Secret `data` in manifests and expectations)
//   {{ cpu | minus1m }}, {{ cpu | plus1m }}
//                      a millicore quantity (`150m`) one millicore less or more: what `kubectl top` may show
//                      for a set usage (its CPU is a rate over two scrapes, and can land a hair above or below)
//   \{{                a literal `{{` (a go-template in a solution: `\{{end}}`)
// Anything else between double braces (`{{.metadata.name}}`) is left alone. Values are plain strings and are
// not rendered again: a param cannot refer to another value. Rendering walks the parsed task, never the YAML
// text, so a value can never break the file's structure.
import { Buffer } from 'node:buffer';
import { formatPath, type PathSegment } from './load.ts';
import { pick, rng, subSeed } from './random.ts';
import type { Param, Task } from './schema.ts';

export type RenderOptions = {
  /** Draw each param with `choices` from this seed; without one, params take their canonical `value`. */
  seed?: number;
  /** Prepended to every namespace, so candidates can share one cluster: `alice-` -> `alice-config-lab`. */
  prefix?: string;
  /** The candidate's directory for handed files; the task's own directory is `<workdir>/<ns>`. */
  workdir?: string;
};
export type Values = Record<string, string>;
export type RenderedTask = { task: Task; values: Values };

/** Shown in instructions when no workdir is given (listing, linting); whatever writes files passes one. */
export const DEFAULT_WORKDIR = '~/ckad-lab';
/** A value always bound besides namespaces and params. */
export const WORKDIR_VAR = 'workdir';

/** A filter's value is not one it takes (its message says what it takes). */
class FilterInputError extends Error {}

const millicores =
  (delta: number) =>
  (value: string): string => {
    const m = /^(\d+)m$/.exec(value);
    if (!m || Number(m[1]) + delta < 0) throw new FilterInputError(`needs a millicore quantity such as 150m, got ${JSON.stringify(value)}`);
    return `${Number(m[1]) + delta}m`;
  };

export const FILTERS: Readonly<Record<string, (value: string) => string>> = {
  b64: (value) => Buffer.from(value, 'utf8').toString('base64'),
  minus1m: millicores(-1),
  plus1m: millicores(1),
};

/** One template occurrence in a string. */
export type TemplateRef = { name: string; filter: string | undefined; text: string; index: number };

const TEMPLATE = /\\\{\{|\{\{\s*([A-Za-z_][\w-]*)\s*(?:\|\s*([A-Za-z_][\w-]*)\s*)?\}\}/g;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The templates in `s` (escapes excluded). */
export function templateRefs(s: string): TemplateRef[] {
  if (!s.includes('{{')) return [];
  const refs: TemplateRef[] = [];
  for (const m of s.matchAll(TEMPLATE)) {
    if (m[1] !== undefined) refs.push({ name: m[1], filter: m[2], text: m[0], index: m.index });
  }
  return refs;
}

/** A template problem: `path` is where in the task, `variable` the name (or filter) at fault. */
export class RenderError extends Error {
  override name = 'RenderError';
  readonly taskId: string;
  readonly path: string;
  readonly variable: string;
  constructor(taskId: string, path: string, variable: string, message: string) {
    super(`task ${taskId}: ${path ? `${path}: ` : ''}${message}`);
    this.taskId = taskId;
    this.path = path;
    this.variable = variable;
  }
}

/** A problem with a task's variables or templates: where in the task, the name (or filter) at fault, what. */
export type TemplateIssue = { path: PathSegment[]; variable: string; message: string };

/** Variable names that cannot be bound: a param named like a namespace variable, either named `workdir`. */
export function variableIssues(task: Pick<Task, 'namespaces' | 'params'>): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  for (const key of Object.keys(task.namespaces)) {
    if (key === WORKDIR_VAR) issues.push({ path: ['namespaces', key], variable: key, message: `${WORKDIR_VAR} is bound by the tool: rename this namespace variable` });
  }
  for (const name of Object.keys(task.params)) {
    if (name in task.namespaces) issues.push({ path: ['params', name], variable: name, message: `param ${name} has the name of a namespace variable: rename one` });
    if (name === WORKDIR_VAR) issues.push({ path: ['params', name], variable: name, message: `${WORKDIR_VAR} is bound by the tool: rename this param` });
  }
  return issues;
}

/** Templates in `s` that cannot be rendered with the variables `known`: unknown variables and filters. */
export function templateIssues(s: string, known: Iterable<string>, path: PathSegment[]): TemplateIssue[] {
  const refs = templateRefs(s);
  if (refs.length === 0) return [];
  const names = new Set(known);
  const issues: TemplateIssue[] = [];
  for (const ref of refs) {
    if (!names.has(ref.name)) {
      issues.push({ path, variable: ref.name, message: `unknown template variable ${ref.text} (known: ${[...names].sort().join(', ')})` });
    }
    if (ref.filter !== undefined && !Object.hasOwn(FILTERS, ref.filter)) {
      issues.push({ path, variable: ref.filter, message: `unknown filter ${JSON.stringify(ref.filter)} in ${ref.text} (filters: ${Object.keys(FILTERS).join(', ')})` });
    }
  }
  return issues;
}

/** The first issue as the error that rendering throws. */
function throwFirst(taskId: string, issues: TemplateIssue[]): void {
  const first = issues[0];
  if (first) throw new RenderError(taskId, formatPath(first.path), first.variable, first.message);
}

/** The values a task is rendered with: namespaces (prefixed), params (canonical or drawn), `workdir`. */
export function bindValues(task: Pick<Task, 'id' | 'namespaces' | 'params'>, opts: RenderOptions = {}): Values {
  throwFirst(task.id, variableIssues(task));
  const values: Values = {};
  const prefix = opts.prefix ?? '';
  for (const [key, name] of Object.entries(task.namespaces)) {
    const ns = prefix + name;
    if (!DNS_LABEL.test(ns) || ns.length > 63) {
      throw new RenderError(task.id, formatPath(['namespaces', key]), key,
        `namespace ${JSON.stringify(ns)} (prefix ${JSON.stringify(prefix)}) is not a valid namespace name: ` +
          'use a prefix of lowercase letters, digits and "-" that keeps it within 63 characters');
    }
    values[key] = ns;
  }
  for (const [name, param] of Object.entries(task.params)) values[name] = drawParam(task.id, name, param, opts.seed);
  const ns = values.ns;
  if (ns === undefined) throw new RenderError(task.id, 'namespaces', 'ns', 'the main namespace `ns` is missing');
  values[WORKDIR_VAR] = `${(opts.workdir ?? DEFAULT_WORKDIR).replace(/\/+$/, '')}/${ns}`;
  return values;
}

function drawParam(taskId: string, name: string, param: Param, seed: number | undefined): string {
  if (typeof param === 'string') return param;
  if (seed === undefined || param.choices === undefined) return param.value;
  return pick(rng(subSeed(seed, `${taskId}:${name}`)), param.choices);
}

/** Substitutes the templates of one string; `where` names the field for error messages. */
export function renderString(s: string, values: Values, where: { taskId: string; path: readonly PathSegment[] }): string {
  if (!s.includes('{{')) return s;
  throwFirst(where.taskId, templateIssues(s, Object.keys(values), [...where.path]));
  return s.replace(TEMPLATE, (_text, name: string | undefined, filter: string | undefined) => {
    if (name === undefined) return '{{'; // the `\{{` escape
    const value = values[name] as string;
    if (filter === undefined) return value;
    try {
      return (FILTERS[filter] as (v: string) => string)(value);
    } catch (error) {
      if (!(error instanceof FilterInputError)) throw error;
      throw new RenderError(where.taskId, formatPath([...where.path]), name, `{{ ${name} | ${filter} }}: ${error.message}`);
    }
  });
}

/**
 * The task with every template rendered, and the values used. In the rendered task `namespaces` maps each
 * variable to its real (prefixed) namespace and `params` to the bound value, so whatever runs the task
 * (setup, grading with the default `ns`) needs nothing but the rendered task.
 */
export function renderTask(task: Task, opts: RenderOptions = {}): RenderedTask {
  const values = bindValues(task, opts);
  const render = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') return renderString(v, values, { taskId: task.id, path });
    if (Array.isArray(v)) return v.map((item, i) => render(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        const k = renderString(key, values, { taskId: task.id, path: [...path, key] });
        if (Object.hasOwn(out, k)) {
          throw new RenderError(task.id, formatPath([...path, key]), key, `key renders to ${JSON.stringify(k)}, which is already a key here`);
        }
        out[k] = render(item, [...path, key]);
      }
      return out;
    }
    return v;
  };

  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(task)) {
    if (key === 'id') out[key] = v;
    else if (key === 'namespaces' || key === 'params') out[key] = Object.fromEntries(Object.keys(v as object).map((k) => [k, values[k]]));
    else out[key] = render(v, [key]);
  }
  // The walk keeps the shape and only replaces strings by strings, so the result is still a Task.
  return { task: out as Task, values };
}

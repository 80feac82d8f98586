// Static checks a schema cannot express: template variables, params, names that must be unique, namespaces
// that would escape the candidate's prefix, expectation operators, custom grader names, setup manifests.
// Problems come out in the loader's format (`file:line:col path: message`) so `tasks lint` prints one list.
import { LineCounter, parseAllDocuments } from 'yaml';
import { formatPath, loadCatalogFiles, loadTaskFiles, sortErrors, type LoadedTask, type Locate, type PathSegment, type TaskFileError } from './load.ts';
import { renderTask, templateIssues, templateRefs, variableIssues, WORKDIR_VAR } from './render.ts';
import type { Task } from './schema.ts';
import { validateExpect } from '../graders/match.ts';
import { isNamespaced } from '../graders/kinds.ts';
import { checkIssues } from '../graders/check-issues.ts';

const noPosition: Locate = () => ({ line: 0, col: 0 });

/** Template variable names: what `{{ name }}` can refer to. */
const VARIABLE_NAME = /^[A-Za-z_][\w-]*$/;
/** Looks like one of our templates but is not well-formed: `{{ns}`, `{{ ns | }}`, `{{ns` at a line end. */
const MALFORMED_TEMPLATE = /\{\{\s*[A-Za-z_][\w-]*\s*(?:[|}]|\n|$)/;

/** Everything wrong with one (schema-valid) task; `locate` (from the loader) adds line:col. */
export function lintTask(task: Task, file: string, locate: Locate = noPosition): TaskFileError[] {
  const problems: TaskFileError[] = [];
  const report = (path: PathSegment[], message: string) => {
    problems.push({ file, ...locate(path), path: formatPath(path), message });
  };

  // Expectations and manifests are checked as they will be used: rendered (canonical values). When the
  // task does not render, lintVariables or lintTemplates say why, and those checks are skipped.
  let rendered: Task | undefined;
  try {
    rendered = renderTask(task).task;
  } catch {
    rendered = undefined;
  }

  lintVariables(task, report);
  lintTemplates(task, report);
  lintNamespaces(task, report);
  lintChecks(task, rendered, report);
  lintSetup(task, rendered, report);

  const seen = new Set<string>();
  for (const [i, wrong] of task.wrongSolutions.entries()) {
    if (seen.has(wrong.name)) report(['wrongSolutions', i, 'name'], `duplicate wrong solution name "${wrong.name}": give each a distinct name`);
    seen.add(wrong.name);
  }
  return sortErrors(problems);
}

/** Loads and lints every task of a catalog: load errors and lint problems, sorted by file and position. */
export function lintCatalog(dir?: string): TaskFileError[] {
  return lintLoaded(loadCatalogFiles(dir));
}

/** {@link lintCatalog} for task files and catalog directories named on the command line, taken together. */
export function lintFiles(paths: readonly string[]): TaskFileError[] {
  return lintLoaded(loadTaskFiles(paths));
}

function lintLoaded({ loaded, errors }: { loaded: LoadedTask[]; errors: TaskFileError[] }): TaskFileError[] {
  return sortErrors([...errors, ...loaded.flatMap((l) => lintTask(l.task, l.file, l.locate)), ...sharedNamespaces(loaded)]);
}

/**
 * Every namespace name belongs to one task: an exam or a class draws several tasks into one cluster under one
 * prefix, and two tasks setting up the same namespace would wipe each other's objects.
 */
function sharedNamespaces(loaded: readonly LoadedTask[]): TaskFileError[] {
  const owner = new Map<string, LoadedTask>();
  const problems: TaskFileError[] = [];
  for (const l of [...loaded].sort((a, b) => a.task.id.localeCompare(b.task.id))) {
    for (const [key, name] of Object.entries(l.task.namespaces)) {
      const first = owner.get(name);
      if (first === undefined) owner.set(name, l);
      else problems.push({ file: l.file, ...l.locate(['namespaces', key]), path: formatPath(['namespaces', key]), message: `namespace ${name} is already task ${first.task.id}'s: two tasks drawn into one exam would clear each other's objects; give this task its own` });
    }
  }
  return problems;
}

type Report = (path: PathSegment[], message: string) => void;

function lintVariables(task: Task, report: Report): void {
  // Rendering refuses these (the first one); lint lists them all.
  for (const issue of variableIssues(task)) report(issue.path, issue.message);
  for (const key of Object.keys(task.namespaces)) {
    if (!VARIABLE_NAME.test(key)) report(['namespaces', key], `${key} cannot be written as {{${key}}}: use letters, digits, "_" and "-"`);
  }
  for (const [name, param] of Object.entries(task.params)) {
    if (!VARIABLE_NAME.test(name)) report(['params', name], `${name} cannot be written as {{${name}}}: use letters, digits, "_" and "-"`);
    const value = typeof param === 'string' ? param : param.value;
    if (value.includes('{{')) report(['params', name], 'params are plain values: a template inside one is not rendered');
    if (typeof param === 'string' || param.choices === undefined) continue;
    if (!param.choices.includes(param.value)) {
      report(['params', name, 'value'], `canonical value "${param.value}" is not among the choices: add it to choices or pick one of them`);
    }
    const choices = new Set<string>();
    for (const [i, choice] of param.choices.entries()) {
      if (choices.has(choice)) report(['params', name, 'choices', i], `duplicate choice "${choice}" makes it more likely than the others`);
      choices.add(choice);
    }
  }
}

function lintTemplates(task: Task, report: Report): void {
  const known = new Set([...Object.keys(task.namespaces), ...Object.keys(task.params), WORKDIR_VAR]);
  for (const site of renderedStrings(task)) {
    for (const issue of templateIssues(site.value, known, site.path)) report(issue.path, issue.message);
    const refs = templateRefs(site.value);
    let rest = site.value.replaceAll('\\{{', '');
    for (const ref of refs) rest = rest.replace(ref.text, '');
    const bad = MALFORMED_TEMPLATE.exec(rest);
    if (bad) report(site.path, `malformed template ${JSON.stringify(bad[0].trim())}: write {{ name }} or {{ name | b64 }} (\\{{ for a literal "{{")`);
  }
  if (!templateRefs(task.instructions).some((r) => r.name === 'ns')) {
    report(['instructions'], 'the instructions never mention {{ns}}: tell the candidate which namespace to work in');
  }
}

/**
 * A namespace written literally is not prefixed, so two candidates on one cluster would collide in it. Object
 * references must use a namespace variable; text (`-n x`, `--namespace x`, `namespace: x`) must not name one
 * of the task's namespaces literally.
 */
function lintNamespaces(task: Task, report: Report): void {
  const variableOf = new Map(Object.entries(task.namespaces).map(([k, ns]) => [ns, k]));
  const useVariable = (ns: string) => {
    const k = variableOf.get(ns);
    return k !== undefined
      ? `namespace ${ns} is written literally and would not get the candidate's prefix: write {{${k}}}`
      : `namespace ${ns} is not one of the task's namespaces: declare it under namespaces and write its {{variable}}`;
  };

  const refs: [PathSegment[], { namespace?: string | undefined }][] = [];
  for (const [i, check] of task.checks.entries()) {
    if ('object' in check) refs.push([['checks', i, 'object'], check.object]);
    if ('absent' in check) refs.push([['checks', i, 'absent'], check.absent]);
    if ('unchanged' in check) refs.push([['checks', i, 'unchanged'], check.unchanged]);
    if ('list' in check) refs.push([['checks', i, 'list'], check.list]);
    if ('helmRelease' in check) refs.push([['checks', i, 'helmRelease'], check.helmRelease]);
    if ('file' in check && check.file.equalsQuery) refs.push([['checks', i, 'file', 'equalsQuery', 'list'], check.file.equalsQuery.list]);
    if ('access' in check) {
      // `*` asks about all namespaces: not a namespace name.
      if (check.access.namespace !== '*') refs.push([['checks', i, 'access'], check.access]);
      for (const [j, row] of (check.access.rules ?? []).entries()) if (row.namespace !== '*') refs.push([['checks', i, 'access', 'rules', j], row]);
    }
  }
  for (const [i, step] of task.setup.entries()) {
    if ('patch' in step) refs.push([['setup', i, 'patch'], step.patch]);
    if ('wait' in step) refs.push([['setup', i, 'wait'], step.wait]);
  }
  const refNamespaces = new Set<string>();
  for (const [path, ref] of refs) {
    if (ref.namespace === undefined || templateRefs(ref.namespace).length > 0) continue;
    const nsPath = [...path, 'namespace'];
    refNamespaces.add(formatPath(nsPath));
    report(nsPath, useVariable(ref.namespace));
  }

  if (variableOf.size === 0) return;
  const names = [...variableOf.keys()].join('|'); // DNS labels: nothing to escape
  const inText = new RegExp(`(?:^|[\\s'"(=])(?:-n|--namespace|namespace:?)(?:=|\\s+)["']?(${names})(?![-a-z0-9])`, 'gi');
  for (const site of renderedStrings(task)) {
    if (site.key) continue;
    if (site.parentKey === 'namespace' && variableOf.has(site.value)) {
      if (!refNamespaces.has(formatPath(site.path))) report(site.path, useVariable(site.value));
      continue;
    }
    for (const m of site.value.matchAll(inText)) {
      const ns = m[1];
      if (ns !== undefined && variableOf.has(ns)) report(site.path, useVariable(ns));
    }
  }
}

function lintChecks(task: Task, rendered: Task | undefined, report: Report): void {
  const names = new Set<string>();
  for (const [i, check] of task.checks.entries()) {
    for (const [j, name] of (check.requires ?? []).entries()) {
      const required = task.checks.find((c) => c.name === name);
      if (!required) report(['checks', i, 'requires', j], `no check named "${name}" in this task`);
      else if (required === check) report(['checks', i, 'requires', j], 'a check cannot require itself');
      else if (required.requires) report(['checks', i, 'requires', j], `"${name}" has requires of its own: require the checks it requires directly`);
    }
    // Such a check passes when the candidate does nothing: points for nothing, unless it is gated.
    if ('unchanged' in check && !check.requires) {
      report(['checks', i, 'unchanged'], 'an unchanged check passes on the untouched setup: add `requires: [<the checks of the work it guards>]` so it earns points only with that work');
    }
    // "May not" alone holds before anything is granted: the same points for nothing.
    if ('access' in check && !check.requires && (check.access.rules ?? [check.access]).every((row) => row.allowed === false)) {
      report(['checks', i, 'access'], 'an access check that only denies passes on the untouched setup: add `requires: [<the check that grants access>]` so it earns points only with that work');
    }
  }
  for (const [i, check] of task.checks.entries()) {
    if (names.has(check.name)) report(['checks', i, 'name'], `duplicate check name "${check.name}": results are reported by name, give each a distinct one`);
    names.add(check.name);

    // The engine's own rules (it refuses such a check at grading), at their place in the check.
    for (const issue of checkIssues(rendered?.checks[i] ?? check)) report(['checks', i, ...issue.at], issue.message.replace(/^<root>: /, ''));
  }
  for (const [i, step] of (rendered ?? task).setup.entries()) {
    if ('wait' in step && step.wait.for !== undefined) {
      reportExpectProblems(['setup', i, 'wait', 'for'], step.wait.for, report);
    }
  }
}

function reportExpectProblems(path: PathSegment[], expect: unknown, report: Report): void {
  // validateExpect prefixes each problem with its path inside the expectation; the root one adds nothing here.
  for (const message of validateExpect(expect)) report(path, message.replace(/^<root>: /, ''));
}

/** An answer file is written where the instructions say: under the task's working directory. */
function lintAnswerFiles(task: Task, report: Report): void {
  for (const [i, check] of task.checks.entries()) {
    if (!('file' in check)) continue;
    const p = check.file.path;
    if (!/^\{\{\s*workdir\s*\}\}\//.test(p) || p.split('/').includes('..')) {
      report(['checks', i, 'file', 'path'], `"${p}" must be a path under the task's working directory, written {{workdir}}/NAME as the instructions show it`);
    }
  }
}

/**
 * A cluster-scoped object setup creates is shared by every candidate on the cluster unless its name carries
 * the candidate's prefix: it must contain one of the task's namespaces ({{ns}}-NAME). CRDs are named by their
 * group and are shared on purpose (sandbox/cluster-objects.ts).
 */
function lintClusterScopedNames(text: string, namespaces: readonly string[], path: PathSegment[], report: Report): void {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return;
  for (const doc of docs) {
    const o = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (!o || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') continue;
    if (isNamespaced(o.kind) || o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace') continue;
    const name = o.metadata.name;
    if (!namespaces.some((ns) => name.includes(ns))) {
      report(path, `${o.kind} ${name} is cluster-scoped: put a namespace variable in its name ({{ns}}-${name}) so candidates sharing a cluster do not collide`);
    }
  }
}

function lintSetup(task: Task, rendered: Task | undefined, report: Report): void {
  lintAnswerFiles(task, report);
  for (const [i, step] of (rendered ?? task).setup.entries()) {
    if (rendered && 'apply' in step) lintClusterScopedNames(step.apply, Object.values(rendered.namespaces), ['setup', i, 'apply'], report);
  }
  for (const [i, step] of task.setup.entries()) {
    if ('file' in step) {
      const p = step.file.path;
      if (p.startsWith('/') || p.startsWith('~') || p.split('/').includes('..')) {
        report(['setup', i, 'file', 'path'], `"${p}" must be a relative path inside the task's working directory ({{workdir}})`);
      }
    }
    const renderedStep = rendered?.setup[i];
    if (renderedStep !== undefined && 'apply' in renderedStep) lintManifests(renderedStep.apply, ['setup', i, 'apply'], report);
  }
}

/** A setup manifest (rendered) must be valid YAML, and each document a Kubernetes object. */
function lintManifests(text: string, path: PathSegment[], report: Report): void {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) return; // nothing but comments
  for (const [n, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      report(path, `manifest line ${line}:${col}: ${error.message}`);
      continue;
    }
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) continue;
    const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; generateName?: unknown } };
    const named = typeof o.metadata?.name === 'string' || typeof o.metadata?.generateName === 'string';
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !named) {
      report(path, `manifest document ${n + 1} is not a Kubernetes object: it needs apiVersion, kind and metadata.name`);
    }
  }
}

type StringSite = { path: PathSegment[]; value: string; key: boolean; parentKey: string | undefined };

/** Every string that renderTask renders (all but id, namespaces and params), with its path; keys included. */
function* renderedStrings(task: Task): Generator<StringSite> {
  function* walk(v: unknown, path: PathSegment[], parentKey: string | undefined): Generator<StringSite> {
    if (typeof v === 'string') yield { path, value: v, key: false, parentKey };
    else if (Array.isArray(v)) for (const [i, item] of v.entries()) yield* walk(item, [...path, i], undefined);
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes('{{')) yield { path: [...path, k], value: k, key: true, parentKey: undefined };
        yield* walk(item, [...path, k], k);
      }
    }
  }
  for (const [key, value] of Object.entries(task)) {
    if (key !== 'id' && key !== 'namespaces' && key !== 'params') yield* walk(value, [key], key);
  }
}

/*
 * Grades rendered tasks against a cluster. Rules:
 * - A check passes iff it has no failures: full points, else 0.
 * - A check that cannot be graded (the reader throws CouldNotGrade or anything else, or the task has an
 *   authoring bug such as an unknown operator or custom check) gets `error` set and 0 points; the task and
 *   report are still produced. Nothing here throws for one bad check.
 * - A missing object is a failure (`Deployment/web: <missing>`), not an error.
 * - Reads go through a per-pass cache (each get/list once, checks run concurrently). `eventually` checks
 *   that fail are polled every `pollMs` through a fresh cache until they pass or `deadline`.
 * - Objects being deleted (metadata.deletionTimestamp set) count as gone: an `absent` check passes and
 *   list checks do not count them, as `kubectl delete` / `scale` are what the candidate did.
 * - `every` on an empty list fails unless the check also gives `count` (which then says whether empty is
 *   right): "every Pod is X" must not pass because there are no Pods.
 */
import { z } from 'zod';
import { CouldNotGrade, type ApiResource, type ClusterReader, type GetRef, type KubeObject } from './reader.ts';
import { cachedReader } from './cached-reader.ts';
import { accessCheck } from './checks/access.ts';
import { throwIfInvalid } from './check-issues.ts';
import { fileCheck, localFiles, type FileReader } from './checks/file.ts';
import { helmReleaseCheck } from './checks/helm-release.ts';
import { customChecks, validateCustomCheck } from './custom/index.ts';
import { resolveKind } from './kinds.ts';
import { MISSING, deepEqual, describeExpectation, formatActual, formatValue, match, sortFailures, type Failure } from './match.ts';
import { getPath } from './path.ts';
import { poll } from './poll.ts';
import { taskPoints, type Check, type ListRef, type ObjectRef, type Task } from '../tasks/schema.ts';
import type { CheckResult, GradeReport, TaskResult } from './result.ts';

const Json = z.json();
/** What one path of an object held right after setup. JSON, because it is stored in an annotation. */
const BaselineValue = z.union([z.strictObject({ value: Json }), z.strictObject({ absent: z.literal(true) })]);

/** Values recorded right after setup for `unchanged` checks: object key (see objectKey) → path → value. */
export const Baseline = z.strictObject({
  objects: z.record(z.string(), z.record(z.string(), BaselineValue)),
});
export type Baseline = z.infer<typeof Baseline>;

export type GradeContext = {
  reader: ClusterReader;
  /** Baselines by task id, as captured by captureBaseline after setup. */
  baseline?: Record<string, Baseline>;
  /** Epoch ms until which `eventually` checks may poll. Default: 10 s after grading starts. */
  deadline?: number;
  /** Pause between polls of an `eventually` check. Default 250 ms. */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Reads answer files for `file` checks. Default: this machine's files. */
  files?: FileReader;
};

const DEFAULT_WAIT_MS = 10_000;
const DEFAULT_POLL_MS = 250;

type Pass = {
  reader: ClusterReader;
  fresh: () => ClusterReader;
  baseline: Record<string, Baseline>;
  deadline: number;
  pollMs: number;
  now: () => number;
  /** Undefined: poll's own. */
  sleep: ((ms: number) => Promise<void>) | undefined;
  files: FileReader;
};

function startPass(ctx: GradeContext): Pass {
  const now = ctx.now ?? Date.now;
  const reader = cachedReader(ctx.reader);
  return {
    reader,
    // Polls read objects afresh; the kinds the server serves are discovered once per pass.
    fresh: () => ({ ...cachedReader(ctx.reader), ...(reader.discover && { discover: reader.discover }) }),
    baseline: ctx.baseline ?? {},
    deadline: ctx.deadline ?? now() + DEFAULT_WAIT_MS,
    pollMs: ctx.pollMs ?? DEFAULT_POLL_MS,
    now,
    sleep: ctx.sleep,
    files: ctx.files ?? localFiles,
  };
}

export async function gradeTask(task: Task, ctx: GradeContext): Promise<TaskResult> {
  return gradeInPass(task, startPass(ctx));
}

export async function gradeTasks(tasks: readonly Task[], ctx: GradeContext): Promise<GradeReport> {
  const pass = startPass(ctx);
  const results = await Promise.all(tasks.map((t) => gradeInPass(t, pass)));
  const score = results.reduce((s, t) => s + t.score, 0);
  const maxScore = results.reduce((s, t) => s + t.maxScore, 0);
  return { score, maxScore, percent: maxScore > 0 ? Math.round((score / maxScore) * 1000) / 10 : 0, tasks: results };
}

async function gradeInPass(task: Task, pass: Pass): Promise<TaskResult> {
  const checks = applyRequires(task, await Promise.all(task.checks.map((c) => gradeCheck(c, task, pass))));
  return { id: task.id, score: checks.reduce((s, c) => s + c.points, 0), maxScore: taskPoints(task), checks };
}

async function gradeCheck(check: Check, task: Task, pass: Pass): Promise<CheckResult> {
  try {
    throwIfInvalid(check);
    let failures: Failure[] = [];
    let reader = pass.reader;
    // A spec check runs once; an `eventually` one is read afresh until it passes or the deadline has passed.
    await poll(
      async () => {
        failures = await runCheck(check, task, reader, pass);
        if (failures.length === 0 || !check.eventually) return true;
        reader = pass.fresh();
        return undefined;
      },
      { deadline: pass.deadline, intervalMs: pass.pollMs, now: pass.now, sleep: pass.sleep },
    );
    return toResult(check, sortFailures(failures));
  } catch (err) {
    return { name: check.name, points: 0, maxPoints: check.points, passed: false, error: errorText(err) };
  }
}

/** A check with `requires` keeps its points only if every check it names passed. */
function applyRequires(task: Task, results: CheckResult[]): CheckResult[] {
  return results.map((result, i) => {
    const requires = task.checks[i]?.requires;
    if (!requires || !result.passed) return result;
    const unmet = requires.filter((name) => !results.find((r) => r.name === name)?.passed);
    if (unmet.length === 0) return result;
    return {
      name: result.name,
      points: 0,
      maxPoints: result.maxPoints,
      passed: false,
      expected: `${unmet.map((n) => `"${n}"`).join(' and ')} to pass first`,
      actual: 'not yet',
      message: `Earned together with ${unmet.map((n) => `"${n}"`).join(' and ')}: leaving things as they were scores only once the task's own work is done.`,
    };
  });
}

function errorText(err: unknown): string {
  if (err instanceof CouldNotGrade) return `could not grade: ${err.message}`;
  if (err instanceof Error) return `${err.name === 'Error' ? 'grader error' : err.name}: ${err.message}`;
  return `grader error: ${String(err)}`;
}

function toResult(check: Check, failures: Failure[]): CheckResult {
  const first = failures[0];
  if (!first) return { name: check.name, points: check.points, maxPoints: check.points, passed: true };
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  const hint = check.hint ? ` — hint: ${check.hint}` : '';
  return {
    name: check.name,
    points: 0,
    maxPoints: check.points,
    passed: false,
    path: first.path,
    expected: first.expected,
    actual: first.actual,
    message: `${first.path ? `${first.path}: ` : ''}${first.message}${more}${hint}`,
  };
}

// ----------------------------------------------------------------------------------------- the checks

/**
 * A check's reference made concrete: kind resolved (built-in table, else discovery with the preferred
 * version), namespace defaulted to the task's `ns` for namespaced kinds. Undefined when the API server serves
 * no such kind (a CRD that is not installed): whatever the check asks of it is missing.
 */
async function resolveRef(ref: ObjectRef, task: Task, reader: ClusterReader): Promise<GetRef | undefined> {
  const scope = await resolveScope(ref, task, reader);
  return scope && { ...scope, name: ref.name };
}

export async function resolveScope(ref: Omit<ListRef, 'selector'>, task: Task, reader: ClusterReader): Promise<{ apiVersion: string; kind: string; namespace?: string } | undefined> {
  const kind = await resolveKind(ref.kind, ref.apiVersion, reader.discover && (() => (reader.discover as () => Promise<ApiResource[]>).call(reader)));
  if (!kind) return undefined;
  if (!kind.namespaced) {
    if (ref.namespace !== undefined) throw new Error(`${ref.kind} is cluster-scoped: remove namespace "${ref.namespace}" from the reference`);
    return { apiVersion: kind.apiVersion, kind: ref.kind };
  }
  return { apiVersion: kind.apiVersion, kind: ref.kind, namespace: ref.namespace ?? mainNamespace(task) };
}

/** A reference to a kind the API server does not serve, as a failure: the object cannot exist. */
const unservedFailure = (ref: ObjectRef): Failure => ({
  path: `${ref.kind}/${ref.name}`,
  expected: `${ref.kind} ${ref.name}`,
  actual: MISSING,
  message: `the API server serves no kind ${ref.kind}${ref.apiVersion ? ` in ${ref.apiVersion}` : ''} (is its CustomResourceDefinition installed?), so ${ref.name} cannot exist`,
});

function mainNamespace(task: Task): string {
  const ns = task.namespaces['ns'];
  if (!ns) throw new Error(`task ${task.id} has no main namespace \`ns\``);
  return ns;
}

/** The key of an object in a Baseline: `apps/v1 Deployment ns/web`. */
export function objectKey(ref: GetRef): string {
  return `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

const terminating = (o: KubeObject): boolean => Boolean(o.metadata?.['deletionTimestamp']);

const missingFailure = (ref: GetRef): Failure => ({
  path: `${ref.kind}/${ref.name}`,
  expected: `${ref.kind} ${ref.name}`,
  actual: MISSING,
  message: `${ref.kind} ${ref.name} not found${ref.namespace ? ` in namespace ${ref.namespace}` : ''}`,
});

async function runCheck(check: Check, task: Task, reader: ClusterReader, pass: Pass): Promise<Failure[]> {
  if ('object' in check) {
    const ref = await resolveRef(check.object, task, reader);
    if (!ref) return [unservedFailure(check.object)];
    const obj = await reader.get(ref);
    return obj ? match(check.expect, obj) : [missingFailure(ref)];
  }
  if ('absent' in check) {
    const ref = await resolveRef(check.absent, task, reader);
    if (!ref) return [];
    const obj = await reader.get(ref);
    if (!obj || terminating(obj)) return [];
    return [{ path: `${ref.kind}/${ref.name}`, expected: '<absent>', actual: 'exists', message: `expected ${ref.kind} ${ref.name} to be gone, but it still exists` }];
  }
  if ('unchanged' in check) return unchanged(check.unchanged, task, reader, pass);
  if ('list' in check) return list(check, task, reader);
  if ('custom' in check) {
    const fn = Object.hasOwn(customChecks, check.custom) ? customChecks[check.custom] : undefined;
    if (!fn) throw new Error(validateCustomCheck(check.custom, check.args).join('; '));
    return fn({ reader, args: check.args, namespace: mainNamespace(task), task });
  }
  if ('file' in check) return fileCheck(check.file, { files: pass.files, mainNamespace: mainNamespace(task), list: (ref) => listLive(ref, task, reader) });
  if ('access' in check) return accessCheck(check.access, mainNamespace(task), reader);
  if ('helmRelease' in check) return helmReleaseCheck({ name: check.helmRelease.name, namespace: check.helmRelease.namespace ?? mainNamespace(task) }, check.expect, reader);
  const never: never = check;
  throw new Error(`unknown check shape: ${JSON.stringify(never)}`);
}

/** The live objects a list reference finds (a kind nothing serves: none), without those being deleted. */
async function listLive(ref: ListRef, task: Task, reader: ClusterReader): Promise<KubeObject[]> {
  const scope = await resolveScope(ref, task, reader);
  if (!scope) return [];
  return (await reader.list(ref.selector === undefined ? scope : { ...scope, labelSelector: ref.selector })).filter((o) => !terminating(o));
}

type UnchangedRef = Extract<Check, { unchanged: unknown }>['unchanged'];

async function unchanged(u: UnchangedRef, task: Task, reader: ClusterReader, pass: Pass): Promise<Failure[]> {
  const ref = await resolveRef(u, task, reader);
  if (!ref) return [unservedFailure(u)];
  const key = objectKey(ref);
  const recorded = pass.baseline[task.id]?.objects[key];
  const lacking = u.paths.filter((p) => !recorded || !Object.hasOwn(recorded, p));
  if (!recorded || lacking.length > 0) {
    throw new Error(`no baseline recorded for ${key} (${lacking.join(', ')}): set the task up again so its baseline is captured`);
  }
  const obj = await reader.get(ref);
  if (!obj) return [missingFailure(ref)];
  const failures: Failure[] = [];
  for (const path of u.paths) {
    const was = recorded[path];
    const before = was && 'value' in was ? was.value : undefined;
    const now = getPath(obj, path);
    if (!deepEqual(before, now)) {
      const got = formatActual(now, { kind: ref.kind, path, expected: before });
      failures.push({ path, expected: formatValue(before), actual: got, message: `must stay ${formatValue(before)} (as set up), got ${got}` });
    }
  }
  return failures;
}

type ListCheck = Extract<Check, { list: unknown }>;

async function list(check: ListCheck, task: Task, reader: ClusterReader): Promise<Failure[]> {
  const { list: q, count, every, some } = check;
  const scope = await resolveScope(q, task, reader);
  const query = scope && (q.selector === undefined ? scope : { ...scope, labelSelector: q.selector });
  const items = query ? (await reader.list(query)).filter((o) => !terminating(o)) : [];
  const where = `${q.kind}${q.selector ? ` -l ${q.selector}` : ''}`;
  const failures: Failure[] = [];

  if (count !== undefined) {
    for (const f of match(count, items.length, where)) failures.push({ ...f, message: `count: ${f.message}` });
  }
  const itemPath = (o: KubeObject): string => `${q.kind}/${o.metadata?.name ?? '?'}`;
  if (every !== undefined) {
    if (items.length === 0 && count === undefined) {
      failures.push({ path: where, expected: `at least one ${q.kind}`, actual: '<none>', message: `expected ${q.kind}s matching ${describeExpectation(every)}, found none` });
    }
    for (const o of items) failures.push(...match(every, o, itemPath(o)));
  }
  if (some !== undefined) {
    const tries = items.map((o) => match(some, o, itemPath(o)));
    if (!tries.some((t) => t.length === 0)) {
      const closest = tries.reduce<Failure[] | undefined>((x, y) => (!x || y.length < x.length ? y : x), undefined)?.[0];
      failures.push({
        path: where,
        expected: `some ${q.kind} matching ${describeExpectation(some)}`,
        actual: items.length ? formatValue(items.map((o) => o.metadata?.name)) : '<none>',
        message: items.length
          ? `no ${q.kind} matches${closest ? `; closest ${closest.path}: ${closest.message}` : ''}`
          : `expected some ${q.kind} matching ${describeExpectation(some)}, found none`,
      });
    }
  }
  return failures;
}

// ------------------------------------------------------------------------------------------- baseline

/**
 * Records, right after setup, the values that the task's `unchanged` checks will compare against.
 * Throws if a referenced object does not exist: that is a broken setup, better found now than at grading.
 */
export async function captureBaseline(task: Task, clusterReader: ClusterReader): Promise<Baseline> {
  const reader = cachedReader(clusterReader); // plain JSON, as grading will see it
  const objects: Baseline['objects'] = {};
  for (const check of task.checks) {
    if (!('unchanged' in check)) continue;
    throwIfInvalid(check);
    const ref = await resolveRef(check.unchanged, task, reader);
    if (!ref) throw new Error(`unchanged check "${check.name}": the API server serves no kind ${check.unchanged.kind} after setup`);
    const obj = await reader.get(ref);
    if (!obj) throw new Error(`unchanged check "${check.name}": ${ref.kind} ${ref.name} does not exist after setup`);
    const key = objectKey(ref);
    const values = (objects[key] ??= {});
    for (const p of check.unchanged.paths) {
      const v = getPath(obj, p);
      values[p] = v === undefined || v === null ? { absent: true } : { value: v as z.infer<typeof Json> };
    }
  }
  return Baseline.parse({ objects });
}

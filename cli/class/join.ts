// `ckad-lab join FILE.kubeconfig`: a candidate's side of a class. Everything is read with her own credentials
// (who she is from a SelfSubjectReview, her tasks and deadline from the one ConfigMap she may read); nothing is
// graded, as on the exam.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CouldNotGrade } from '../../graders/reader.ts';
import { UserError } from '../../sandbox/errors.ts';
import { ApiError, Kube } from '../../sandbox/kube.ts';
import type { Task } from '../../tasks/schema.ts';
import type { PreparedTask } from '../exam/services.ts';
import { handedInMessage, type ExamRules } from '../exam/flow.ts';
import type { ExamSession } from '../exam/session.ts';
import type { ExamStore } from '../exam/store.ts';
import { shellQuote } from '../../sandbox/sandbox.ts';
import { renderEntry } from '../lab/runner.ts';
import { CandidateRecord, candidateConfigMap } from './record.ts';

export type Joined = { record: CandidateRecord; tasks: PreparedTask[]; kube: Kube; file: string };

const USER = /^system:serviceaccount:ckad-lab-class-([a-z0-9-]+):([a-z0-9-]+)$/;

export function candidateKube(file: string): Kube {
  if (!existsSync(file)) throw new UserError(`${file}: no such file.`, { hint: 'Give the kubeconfig your instructor handed you: ckad-lab join alice.kubeconfig', exitCode: 2 });
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw new UserError(`${file} is not a kubeconfig ckad-lab can read: ${(error as Error).message}`, { hint: 'Give the kubeconfig your instructor handed you.', exitCode: 2 });
  }
  if (!kc.getCurrentCluster()) throw new UserError(`${file} has no current context with a cluster.`, { exitCode: 2 });
  // Never changed through ckad-lab: the candidate works with kubectl.
  return new Kube(kc, { ownedBySandbox: false, kubeconfigPath: resolve(file), allowedContexts: [] });
}

const ended = (file: string) =>
  new UserError(`The credentials in ${file} no longer work: the class has ended (or your time is up).`, {
    hint: 'If your instructor gave you more time, they hand you a new kubeconfig (ckad-lab class extend).',
    exitCode: 3,
  });

/** Who this kubeconfig is and what the class asks of her, read with her own rights. */
export async function joinClass(file: string, catalog: readonly Task[], workRoot: string): Promise<Joined> {
  const kube = candidateKube(file);
  let username: string | undefined;
  try {
    username = await whoAmI(kube);
  } catch (error) {
    if (error instanceof ApiError && error.code === 401) throw ended(file);
    const explained = kube.explain(error, 'ask the API server who this kubeconfig is');
    throw explained instanceof CouldNotGrade ? new UserError(explained.message, { exitCode: 3 }) : explained;
  }
  const m = USER.exec(username ?? '');
  if (!m) throw new UserError(`${file} is not a ckad-lab class kubeconfig (it authenticates as "${username}").`, { hint: 'Use the kubeconfig your instructor handed you for the class.', exitCode: 2 });
  const [, className, candidate] = m as unknown as [string, string, string];
  const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: `ckad-lab-class-${className}`, name: candidateConfigMap(candidate) }).catch((error: unknown) => {
    if (error instanceof CouldNotGrade && /answered 401/.test(error.message)) throw ended(file);
    throw error instanceof CouldNotGrade ? new UserError(error.message, { exitCode: 3 }) : error;
  });
  const text = (cm?.data as Record<string, string> | undefined)?.['candidate.json'];
  if (!text) throw new UserError(`Class ${className} has no record for ${candidate} on this cluster (was it deleted?).`, { hint: 'Ask your instructor.', exitCode: 2 });
  const record = CandidateRecord.parse(JSON.parse(text));
  const tasks = record.tasks.map((id) => {
    const task = catalog.find((t) => t.id === id);
    if (!task) throw new UserError(`Task ${id} of class ${className} is not in this ckad-lab's catalog.`, { hint: "Use the same ckad-lab version as your instructor's.", exitCode: 2 });
    return { task, prepared: preparedFor(task, record, workRoot) };
  });
  await Promise.all(tasks.map(({ task }) => handFiles(task, record, workRoot)));
  return { record, tasks: tasks.map((t) => t.prepared), kube, file: resolve(file) };
}

function preparedFor(task: Task, record: CandidateRecord, workRoot: string): PreparedTask {
  const { task: rendered, values } = renderEntry(task, { seed: record.seed, prefix: record.prefix }, workRoot);
  return {
    id: task.id,
    seed: record.seed,
    prefix: record.prefix,
    title: rendered.title,
    domain: task.domain,
    minutes: task.minutes,
    points: task.checks.reduce((s, c) => s + c.points, 0),
    namespace: values.ns as string,
    namespaces: Object.fromEntries(Object.keys(task.namespaces).map((k) => [k, values[k] as string])),
    values,
    instructions: rendered.instructions.trim(),
    hints: rendered.hints,
    solution: '',
    links: rendered.links,
  };
}

/**
 * The files a task hands the candidate (its `file` setup steps), written into her own working directory when
 * she joins from another machine. Files already there are hers (she may have edited them): never overwritten.
 */
async function handFiles(task: Task, record: CandidateRecord, workRoot: string): Promise<void> {
  const { task: rendered, values } = renderEntry(task, { seed: record.seed, prefix: record.prefix }, workRoot);
  const workdir = values.workdir as string;
  for (const step of rendered.setup) {
    if (!('file' in step)) continue;
    const path = resolve(workdir, step.file.path);
    if (!path.startsWith(workdir + sep) || existsSync(path)) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, step.file.content);
  }
}

/** One exam session per class and candidate (and class run: a class re-created under the same name is new). */
export const joinSessionId = (record: CandidateRecord): string => createHash('sha256').update(`${record.class}/${record.candidate}/${record.startsAt}`).digest('hex').slice(0, 12);

/** Where a candidate's console keeps her session (flags, current task), apart from her own mock exams. */
export const joinStateDir = (stateDir: string, record: CandidateRecord): string => join(stateDir, 'classes', record.class, record.candidate);

/** How often an open console asks whether her credentials still work (`class end` revokes them at once). */
export const STILL_OPEN_EVERY_MS = 20_000;

export const joinRules = (record: CandidateRecord, file: string, kube?: Kube): ExamRules => ({
  title: `Class ${record.class}`,
  subtitle: record.candidate,
  resume: `ckad-lab join ${shellQuote(file)}`,
  grading: 'instructor',
  ...(kube ? { stillOpen: { check: () => credentialsWork(kube), everyMs: STILL_OPEN_EVERY_MS } } : {}),
});

/** Who the API server says these credentials are (a SelfSubjectReview: anyone authenticated may ask). */
async function whoAmI(kube: Kube): Promise<string | undefined> {
  const review = (await kube.raw('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })) as { status?: { userInfo?: { username?: string } } };
  return review.status?.userInfo?.username;
}

/** False only when the API server rejects her token (401); any other failure says nothing about the class. */
export async function credentialsWork(kube: Kube): Promise<boolean> {
  try {
    await whoAmI(kube);
    return true;
  } catch (error) {
    return !(error instanceof ApiError && error.code === 401);
  }
}

export type JoinSession = { ok: true; session: ExamSession } | { ok: false; message: string };

/**
 * The candidate's exam session: already running (the instructor set the tasks up; the clock is the class's),
 * saved in `store` so a console killed and joined again keeps her flags and current task. The cluster's record
 * is the truth for the deadline (an extension moves it, and reopens an exam whose time had run out) and for the
 * tasks. An exam she ended herself stays ended.
 */
export function joinSession(store: ExamStore, joined: Pick<Joined, 'record' | 'tasks'>, now: number): JoinSession {
  const { record, tasks } = joined;
  const id = joinSessionId(record);
  const active = store.active();
  let saved = active?.id === id ? active.session : undefined;
  // An older run of a class with the same name: nothing of it applies.
  if (active && active.id !== id) store.release(active.id);
  if (saved?.ended && !(saved.ended.reason === 'timeout' && record.endsAt > now)) {
    return { ok: false, message: `${handedInMessage(saved)} (Ended ${new Date(saved.ended.at).toISOString()}.)` };
  }
  if (saved?.ended) {
    const { ended: _, ...reopened } = saved;
    saved = reopened;
  }
  const before = new Map(saved?.tasks.map((t) => [t.id, t]));
  const session: ExamSession = {
    version: 1,
    id,
    kind: 'exam',
    createdAt: saved?.createdAt ?? now,
    seed: record.seed,
    prefix: record.prefix,
    minutes: Math.max(1, Math.round((record.endsAt - record.startsAt) / 60_000)),
    plan: tasks.map((t) => ({ id: t.id, seed: t.seed, prefix: t.prefix })),
    startedAt: record.startsAt,
    deadline: record.endsAt,
    tasks: tasks.map((t, i) => ({ ...t, state: before.get(t.id)?.state ?? (i === 0 ? 'seen' : 'unseen'), flagged: before.get(t.id)?.flagged ?? false })),
    current: Math.min(saved?.current ?? 0, tasks.length - 1),
  };
  if (!saved && !store.claim(session).ok) throw new UserError(`Another terminal is joining class ${record.class} as ${record.candidate} right now.`, { hint: 'Continue there.', exitCode: 3 });
  store.saveSession(session);
  return { ok: true, session };
}

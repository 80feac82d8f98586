// The steps of an exam that are not drawing: starting (one at a time), resuming, finishing into history.
// Shared by the Ink screens and the plain (no TTY) commands, so both behave the same.
import { randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import type { Domain } from '../../tasks/schema.ts';
import type { ExportOptions } from '../report/export.ts';
import { countdown, formatClock } from './countdown.ts';
import { drawExam } from './draw.ts';
import { historyRecord, type HistoryRecord } from './history.ts';
import type { Output } from './output.ts';
import type { LabServices } from './services.ts';
import { createSession, newSessionId, phase, reduce, type ExamSession } from './session.ts';
import { ExamStore, StoreError } from './store.ts';
import { EXIT } from '../exit.ts';

export const DEFAULT_TASKS = 16;
export const DEFAULT_MINUTES = 120;

/** Exit codes: the one table, cli/exit.ts. */
export { EXIT } from '../exit.ts';

export type CommonOptions = {
  /** `${XDG_STATE_HOME:-~/.local/state}/ckad-lab`, resolved by the dispatcher (sandbox/paths.ts stateDir()). */
  stateDir: string;
  /** Decided once by the dispatcher: `process.stdout.isTTY && process.stdin.isTTY && !process.env.CI`. */
  interactive: boolean;
  /** The clock; tests pass their own. Default Date.now. */
  now?: () => number;
  /** Where plain text goes. Default process stdout/stderr. */
  output?: Output;
};

export type HomeOptions = CommonOptions & {
  /** `npm start`: build and start the sandbox (with progress) before the home screen. */
  prepareSandbox?: boolean;
};

export type ExamOptions = CommonOptions &
  ExportOptions & {
    /** --tasks N, default 16. */
    tasks?: number;
    /** --minutes M, default 120. */
    minutes?: number;
    /** --seed S: the same seed draws the same exam. Default random. */
    seed?: number;
    /** --abandon: set aside the exam in progress (kept, marked abandoned) and start a new one. */
    abandon?: boolean;
  };

export type DrillOptions = CommonOptions & {
  /** TASK_ID, or --competency C, or --domain D, or --weakest; none of them: a random task. */
  taskId?: string;
  competency?: string;
  domain?: Domain;
  weakest?: boolean;
  /** --timed: count down the task's suggested minutes (never forced). Default untimed. */
  timed?: boolean;
  seed?: number;
};

export type ResumeOptions = CommonOptions & ExportOptions;

export type HistoryOptions = CommonOptions & {
  /** --json: every history record as a JSON array. */
  json?: boolean;
};

export type ReportOptions = CommonOptions &
  ExportOptions & {
    /** A history id; default the newest attempt. */
    id?: string;
  };

export const randomSeed = (): number => randomInt(0, 2 ** 31);

/**
 * What differs between a mock exam and a class's exam (`ckad-lab join`), injected into the one exam console
 * rather than forking it: the title, the command that reopens it, and who grades it. A class is graded by the
 * instructor (ckad-lab class grade): ending it, or its deadline passing, hands it in, and no score is shown.
 */
export type ExamRules = {
  title: string;
  /** Shown beside the title; default the session id. */
  subtitle?: string;
  /** The command that continues the exam after leaving the console. */
  resume: string;
  grading: 'here' | 'instructor';
  /**
   * A class's: whether her credentials still work, asked every `everyMs` while the console is open. When the
   * instructor ends the class the answer is no, and the exam ends as at its deadline (a new kubeconfig from
   * `class extend` reopens it).
   */
  stillOpen?: { check: () => Promise<boolean>; everyMs: number };
};
export const MOCK_EXAM: ExamRules = { title: 'CKAD mock exam', resume: 'ckad-lab resume', grading: 'here' };

/** What a class candidate reads when her exam ends: never a score. */
export function handedInMessage(session: ExamSession): string {
  const why = session.ended?.reason === 'timeout' ? "Time's up." : 'Exam ended.';
  return `${why} Your work is graded by your instructor.`;
}

/** How long an exam that has not started yet counts as being set up rather than interrupted. */
const SETTING_UP_MS = 3 * 60_000;

const hhmm = (ms: number): string => new Date(ms).toTimeString().slice(0, 5);

/** One line about a session in progress, e.g. `exam k3j9 started 09:02 · 1:12:40 left · task 3 of 16`. */
export function describeInProgress(session: ExamSession, now: number): string {
  const parts = [`exam ${session.id}`];
  // Not started: being set up right now (two exams started at once: this is the other one), or a set-up that
  // was cut short. Recent means the former; setting up takes seconds, minutes on a first start.
  if (session.startedAt === null) parts.push(now - session.createdAt < SETTING_UP_MS ? `being set up in another terminal (since ${hhmm(session.createdAt)})` : 'interrupted while setting up');
  else parts.push(`started ${hhmm(session.startedAt)}`);
  if (session.deadline !== null) {
    const c = countdown(session.deadline, now);
    parts.push(c.expired ? 'time is up (not graded yet)' : `${c.text} left`);
  }
  if (session.tasks.length > 0) parts.push(`task ${session.current + 1} of ${session.tasks.length}`);
  return parts.join(' · ');
}

export const refusalInProgress = (what: string): string =>
  `An exam is already in progress (${what}). Continue it: ckad-lab resume  ·  set it aside and start over: ckad-lab exam --abandon`;

export type Begin = { ok: true; session: ExamSession; notes: string[] } | { ok: false; message: string; code: number };

/**
 * Draw an exam and make it the one in progress (saved before anything is set up). Refuses while another
 * exam is in progress, so two exams never run over each other's namespaces.
 */
export async function beginExam(services: LabServices, store: ExamStore, options: Omit<ExamOptions, 'stateDir' | 'interactive'>): Promise<Begin> {
  const now = options.now ?? Date.now;
  const count = options.tasks ?? DEFAULT_TASKS;
  const minutes = options.minutes ?? DEFAULT_MINUTES;
  if (!Number.isInteger(count) || count < 1 || count > 100) return { ok: false, code: EXIT.refused, message: `--tasks must be a whole number from 1 to 100, not ${count}.` };
  if (!(minutes > 0 && minutes <= 600)) return { ok: false, code: EXIT.refused, message: `--minutes must be more than 0 and at most 600, not ${minutes}.` };
  const notes: string[] = [];
  try {
    if (options.abandon) notes.push(...store.abandon(now()));
    const active = store.active();
    if (active) {
      const what = active.session ? describeInProgress(active.session, now()) : `exam ${active.id}, interrupted before it was saved`;
      return { ok: false, code: EXIT.refused, message: refusalInProgress(what) };
    }
  } catch (error) {
    if (error instanceof StoreError) return { ok: false, code: EXIT.error, message: error.message };
    throw error;
  }
  const seed = options.seed ?? randomSeed();
  const draw = drawExam(await services.tasks(), count, seed);
  if (draw.tasks.length === 0) return { ok: false, code: EXIT.error, message: 'The task catalog is empty: there is nothing to draw an exam from.' };
  if (draw.shortfall) notes.push(draw.shortfall);
  const session = createSession({
    id: newSessionId(),
    kind: 'exam',
    createdAt: now(),
    seed,
    minutes,
    taskIds: draw.tasks.map((t) => t.id),
  });
  const claim = store.claim(session);
  if (!claim.ok) return { ok: false, code: EXIT.refused, message: refusalInProgress(`exam ${claim.activeId}, started in another terminal just now`) };
  return { ok: true, session, notes };
}

export type ResumeTarget = { ok: true; session: ExamSession } | { ok: false; message: string; code: number };

/** The session `ckad-lab resume` continues. */
export function resumeTarget(store: ExamStore): ResumeTarget {
  try {
    const active = store.active();
    if (!active) return { ok: false, code: EXIT.refused, message: 'No exam is in progress. Start one: ckad-lab exam' };
    if (!active.session) {
      return { ok: false, code: EXIT.error, message: `Exam ${active.id} was interrupted before it was saved, so there is nothing to resume. Start over: ckad-lab exam --abandon` };
    }
    return { ok: true, session: active.session };
  } catch (error) {
    if (error instanceof StoreError) return { ok: false, code: EXIT.error, message: error.message };
    throw error;
  }
}

/** A graded session goes into history and stops being in progress. Idempotent. */
export function finishExam(store: ExamStore, session: ExamSession): { record: HistoryRecord; file: string } {
  const record = historyRecord(session);
  if (!record) throw new Error(`Exam ${session.id} is not graded yet (${phase(session)}).`);
  const file = store.saveHistory(record);
  store.release(session.id);
  return { record, file };
}

/** What to print when the candidate leaves a running exam (q, Ctrl-C) whose every change is saved. */
export function leaveMessage(session: ExamSession, now: number, rules: ExamRules = MOCK_EXAM): string {
  const left = session.deadline === null ? '' : ` The clock keeps running: ${formatClock(Math.max(0, session.deadline - now))} left.`;
  return `Your exam is saved.${left} Continue with: ${rules.resume}`;
}

/** How often the console tries again to write a session whose save failed. */
export const SAVE_RETRY_MS = 5_000;

/** What of `current` is not in `saved` (what was last written), one phrase each, e.g. `the flag on task 2`. */
export function unsavedChanges(saved: ExamSession | undefined, current: ExamSession): string[] {
  if (!saved) return ['the whole session (nothing of it is on disk)'];
  const changes: string[] = [];
  if (current.startedAt !== null && saved.startedAt === null) changes.push('that its tasks were set up and the clock started');
  if (current.ended && !saved.ended) changes.push(`that the exam ended (${current.ended.reason})`);
  if (current.ended?.report && !saved.ended?.report) changes.push('its grading');
  if (current.current !== saved.current) changes.push(`task ${current.current + 1} as the current task (saved: task ${saved.current + 1})`);
  current.tasks.forEach((t, i) => {
    const before = saved.tasks[i];
    if (before && before.flagged !== t.flagged) changes.push(`${t.flagged ? 'the flag on' : 'unflagging'} task ${i + 1}`);
    else if (before && before.state !== t.state) changes.push(`task ${i + 1} marked seen`);
  });
  return changes.length ? changes : ['its latest state'];
}

export type Leave = { message: string; code: number };

/**
 * What to say when the console closes with an exam open (left with q or Ctrl-C: `session`; a signal: any
 * session the store could not write). A session whose latest state could not be written is tried once more;
 * if that fails too, the message says exactly what is lost and the exit code is an error: never "saved".
 */
export function leaveExam(store: ExamStore, session: ExamSession | undefined, now: number, rules: ExamRules = MOCK_EXAM): Leave {
  const pending = store.retryUnsaved();
  const unsaved = session ? pending.find((u) => u.session.id === session.id) : pending[0];
  if (!unsaved) return { message: session ? leaveMessage(session, now, rules) : `Your exam is saved. Continue with: ${rules.resume}`, code: EXIT.ok };
  let saved: ExamSession | undefined;
  try {
    saved = store.loadSession(unsaved.session.id);
  } catch {
    saved = undefined;
  }
  const s = unsaved.session;
  const clock = s.deadline === null || s.ended ? '' : ` Its clock keeps running: ${formatClock(Math.max(0, s.deadline - now))} left.`;
  return {
    code: EXIT.error,
    message: [
      `Your exam is NOT fully saved: writing ${unsaved.file} failed (${unsaved.error}).`,
      `Lost now: ${unsavedChanges(saved, s).join(', ')}.`,
      saved
        ? `${rules.resume} continues from the last save (task ${saved.current + 1}).${clock}`
        : rules === MOCK_EXAM
          ? `There is nothing to resume; start over with: ckad-lab exam --abandon`
          : `There is nothing to resume; ${rules.resume} starts it afresh.`,
      `Make ${dirname(unsaved.file)} writable (permissions, free space, chattr -i) before you go on; an open console tries again every ${SAVE_RETRY_MS / 1000} s.`,
    ].join('\n'),
  };
}

/**
 * How to grade an ended exam: when time ran out, or when grading comes well after the end (the console was
 * closed), the report also lists what was changed after the end, which the real exam would not have seen.
 */
export function gradeOptions(session: ExamSession, now: number): { changedAfter?: number } {
  const ended = session.ended;
  if (!ended) return {};
  return ended.reason === 'timeout' || now - ended.at > 10_000 ? { changedAfter: ended.at } : {};
}

/**
 * Without a console: end a session whose time is up (at its deadline), grade it, save it at each step and
 * put it into history. Used by plain `resume`; the Ink screens take the same steps through the reducer.
 */
export async function gradeToHistory(
  services: LabServices,
  store: ExamStore,
  session: ExamSession,
  now: number,
): Promise<{ session: ExamSession; record: HistoryRecord; file: string }> {
  let s = session;
  if (!s.ended) {
    s = reduce(s, { type: 'END', at: now, reason: s.deadline !== null && now >= s.deadline ? 'timeout' : 'finished' });
    store.saveSession(s);
  }
  if (!s.ended?.report) {
    s = reduce(s, { type: 'GRADED', report: await services.grade(s.tasks, gradeOptions(s, now)) });
    store.saveSession(s);
  }
  return { session: s, ...finishExam(store, s) };
}

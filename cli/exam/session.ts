// The exam session: what is saved on every change so that nothing is lost, and the pure reducer that
// changes it. Time never comes from inside the reducer: actions carry it, so it is testable and replayable.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { GradeReport } from '../../graders/result.ts';
import { PreparedTask, TaskEntry } from './services.ts';

export const TaskState = z.enum(['unseen', 'seen']);
export type TaskState = z.infer<typeof TaskState>;

export const SessionTask = PreparedTask.extend({
  state: TaskState,
  flagged: z.boolean(),
});
export type SessionTask = z.infer<typeof SessionTask>;

export const EndReason = z.enum(['finished', 'timeout', 'abandoned']);
export type EndReason = z.infer<typeof EndReason>;

export const ExamSession = z
  .object({
    version: z.literal(1),
    id: z.string().regex(/^[a-z0-9]{4,32}$/),
    kind: z.enum(['exam', 'drill']),
    createdAt: z.number().int(),
    seed: z.number().int().nonnegative(),
    /** Prepended to every namespace of the session's tasks. */
    prefix: TaskEntry.shape.prefix,
    /** Length of the exam; null for an untimed session. */
    minutes: z.number().positive().nullable(),
    /** The tasks drawn, in order; kept so an interrupted setup can be run again. */
    plan: z.array(TaskEntry).min(1),
    /** When setup finished and the clock started; null while setting up. */
    startedAt: z.number().int().nullable(),
    /** Fixed epoch ms at which the exam ends; null while setting up or when untimed. */
    deadline: z.number().int().nullable(),
    tasks: z.array(SessionTask),
    current: z.number().int().nonnegative(),
    /** Set when the exam ends; `report` follows once grading has run. */
    ended: z
      .object({
        at: z.number().int(),
        reason: EndReason,
        report: GradeReport.optional(),
      })
      .optional(),
  })
  .refine((s) => s.tasks.length === 0 || s.current < s.tasks.length, { message: 'current is past the last task', path: ['current'] });
export type ExamSession = z.infer<typeof ExamSession>;

export type SessionPhase = 'setup' | 'running' | 'grading' | 'graded';

export function phase(session: ExamSession): SessionPhase {
  if (session.ended) return session.ended.report ? 'graded' : 'grading';
  return session.startedAt === null ? 'setup' : 'running';
}

export type SessionAction =
  | { type: 'SETUP_DONE'; tasks: readonly PreparedTask[]; at: number }
  | { type: 'NEXT' }
  | { type: 'PREV' }
  | { type: 'JUMP'; index: number }
  | { type: 'TOGGLE_FLAG'; index?: number }
  | { type: 'TASK_RESET'; task: PreparedTask }
  | { type: 'END'; at: number; reason: EndReason }
  | { type: 'GRADED'; report: GradeReport };

const view = (session: ExamSession, index: number): ExamSession => {
  const target = session.tasks[index];
  if (!target || (index === session.current && target.state === 'seen')) return session;
  const tasks = target.state === 'seen' ? session.tasks : session.tasks.map((t, i) => (i === index ? { ...t, state: 'seen' as const } : t));
  return { ...session, tasks, current: index };
};

/**
 * Pure: the session after `action`. Returns the very same object when nothing changes, so callers save
 * only real changes. Navigation after the end, and grading twice, are no-ops.
 */
export function reduce(session: ExamSession, action: SessionAction): ExamSession {
  switch (action.type) {
    case 'SETUP_DONE': {
      if (session.startedAt !== null || session.ended) return session;
      const tasks = action.tasks.map((t, i): SessionTask => ({ ...t, state: i === 0 ? 'seen' : 'unseen', flagged: false }));
      const deadline = session.minutes === null ? null : action.at + Math.round(session.minutes * 60_000);
      return { ...session, tasks, current: 0, startedAt: action.at, deadline };
    }
    case 'NEXT':
      return phase(session) === 'running' ? view(session, Math.min(session.current + 1, session.tasks.length - 1)) : session;
    case 'PREV':
      return phase(session) === 'running' ? view(session, Math.max(session.current - 1, 0)) : session;
    case 'JUMP':
      return phase(session) === 'running' && Number.isInteger(action.index) ? view(session, action.index) : session;
    case 'TOGGLE_FLAG': {
      const index = action.index ?? session.current;
      if (phase(session) !== 'running' || !session.tasks[index]) return session;
      return { ...session, tasks: session.tasks.map((t, i) => (i === index ? { ...t, flagged: !t.flagged } : t)) };
    }
    case 'TASK_RESET': {
      const index = session.tasks.findIndex((t) => t.id === action.task.id);
      const old = session.tasks[index];
      if (!old || session.ended) return session;
      return { ...session, tasks: session.tasks.map((t, i) => (i === index ? { ...action.task, state: old.state, flagged: old.flagged } : t)) };
    }
    case 'END': {
      if (session.ended) return session;
      // A timeout ends the exam at the deadline, even when noticed later (a resumed, expired session).
      const at = action.reason === 'timeout' && session.deadline !== null ? Math.min(action.at, session.deadline) : action.at;
      return { ...session, ended: { at, reason: action.reason } };
    }
    case 'GRADED':
      if (!session.ended || session.ended.report) return session;
      return { ...session, ended: { ...session.ended, report: action.report } };
  }
}

/** A new id: 10 lowercase base-36 characters. */
export function newSessionId(): string {
  const bytes = randomBytes(10);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('');
}

/**
 * `x` for exams and `d` for drills, then five characters of the id: short (namespaces keep room within 63
 * characters), unique per session, and a valid DNS label.
 */
export const sessionPrefix = (kind: 'exam' | 'drill', id: string): string => `${kind === 'exam' ? 'x' : 'd'}${id.slice(0, 5)}`;

export type NewSession = {
  id: string;
  kind: 'exam' | 'drill';
  createdAt: number;
  seed: number;
  minutes: number | null;
  /** Task ids in the order they will be shown. */
  taskIds: readonly string[];
};

/** The session before setup: the plan is fixed, the clock has not started. */
export function createSession(init: NewSession): ExamSession {
  const prefix = sessionPrefix(init.kind, init.id);
  return {
    version: 1,
    id: init.id,
    kind: init.kind,
    createdAt: init.createdAt,
    seed: init.seed,
    prefix,
    minutes: init.minutes,
    plan: init.taskIds.map((id) => ({ id, seed: init.seed, prefix })),
    startedAt: null,
    deadline: null,
    tasks: [],
    current: 0,
  };
}

export const seenCount = (session: ExamSession): number => session.tasks.filter((t) => t.state === 'seen').length;
export const flaggedCount = (session: ExamSession): number => session.tasks.filter((t) => t.flagged).length;
export const currentTask = (session: ExamSession): SessionTask | undefined => session.tasks[session.current];

// A drill: one task, checked live as often as wanted, with hints, reset and the reference solution after
// a first check. Pure state; the screen runs the effects (grade, reset) and reports back with actions.
import type { TaskResult } from '../../graders/result.ts';
import type { PreparedTask } from './services.ts';

export type DrillState = {
  task: PreparedTask;
  startedAt: number;
  /** Suggested minutes from the start (or the last reset) when timed; null when untimed. Never enforced. */
  deadline: number | null;
  busy: 'idle' | 'checking' | 'resetting';
  /** The latest check. */
  result: TaskResult | undefined;
  /** Why the last check or reset could not run. */
  problem: string | undefined;
  /** Checks run so far: the solution opens after the first. */
  checks: number;
  /** How many hints are shown. */
  hints: number;
  solution: boolean;
};

export type DrillAction =
  | { type: 'CHECK_START' }
  | { type: 'CHECK_DONE'; result: TaskResult | undefined }
  | { type: 'RESET_START' }
  | { type: 'RESET_DONE'; task: PreparedTask; at: number }
  | { type: 'FAILED'; message: string }
  | { type: 'HINT' }
  | { type: 'TOGGLE_SOLUTION' };

export function drillState(task: PreparedTask, at: number, timed: boolean): DrillState {
  return { task, startedAt: at, deadline: timed ? at + task.minutes * 60_000 : null, busy: 'idle', result: undefined, problem: undefined, checks: 0, hints: 0, solution: false };
}

/** Pure. One effect at a time: a check or reset while another runs is ignored. */
export function reduceDrill(state: DrillState, action: DrillAction): DrillState {
  switch (action.type) {
    case 'CHECK_START':
      return state.busy === 'idle' ? { ...state, busy: 'checking', problem: undefined } : state;
    case 'CHECK_DONE':
      if (state.busy !== 'checking') return state;
      return action.result
        ? { ...state, busy: 'idle', result: action.result, checks: state.checks + 1 }
        : { ...state, busy: 'idle', problem: `The grader returned no result for ${state.task.id}.` };
    case 'RESET_START':
      return state.busy === 'idle' ? { ...state, busy: 'resetting', problem: undefined } : state;
    case 'RESET_DONE':
      if (state.busy !== 'resetting') return state;
      return { ...drillState(action.task, action.at, state.deadline !== null), checks: state.checks, hints: state.hints };
    case 'FAILED':
      return state.busy === 'idle' ? state : { ...state, busy: 'idle', problem: action.message };
    case 'HINT':
      return state.hints < state.task.hints.length ? { ...state, hints: state.hints + 1 } : state;
    case 'TOGGLE_SOLUTION':
      return state.checks > 0 ? { ...state, solution: !state.solution } : state;
  }
}

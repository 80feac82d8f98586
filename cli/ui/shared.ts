// What every screen shares: the console's environment (ConsoleEnv), its routes and outcomes, and the React
// contexts that carry them. State and actions are separate, so a component that only acts (a key handler) does
// not re-render when the state changes, and one that only shows does not see the actions. (Named for its job:
// "context" already means a kube context here.)
import { createContext, useContext } from 'react';
import type { LabServices } from '../exam/services.ts';
import type { ExamStore } from '../exam/store.ts';
import type { EndReason, ExamSession } from '../exam/session.ts';
import type { HistoryRecord } from '../exam/history.ts';
import type { GradeReport } from '../../graders/result.ts';
import type { PreparedTask } from '../exam/services.ts';
import type { DrillChoice } from '../exam/draw.ts';
import type { ExamRules } from '../exam/flow.ts';

/** How the console ended, for the entry function to act on after Ink has let go of the terminal. */
export type Outcome =
  | { kind: 'quit' }
  /** Left a running exam (q, Ctrl-C): it is saved; print how to resume. */
  | { kind: 'left'; session: ExamSession }
  | { kind: 'finished'; record: HistoryRecord; file: string }
  | { kind: 'failed'; message: string; code: number }
  /** A class's exam ended (by the candidate or its deadline): nothing is graded here, the instructor grades it. */
  | { kind: 'handed-in'; session: ExamSession }
  /** Left after an error the screen showed but cannot handle: it goes on to cli/bin.ts (message, hint, exit code). */
  | { kind: 'error'; error: unknown };

export type Route =
  | { screen: 'home' }
  | { screen: 'sandbox'; then: Route }
  | { screen: 'exam-start' }
  | { screen: 'exam'; session: ExamSession }
  | { screen: 'drill'; choice: DrillChoice; timed: boolean; seed: number; avoid?: string }
  | { screen: 'history' };

/** What every screen may use: the lab's services, the store and the clock. Stable for the life of the app. */
export type ConsoleEnv = {
  services: LabServices;
  store: ExamStore;
  clock: () => number;
  /** The kubectl line; asked each time, since it is known for sure only once the sandbox is up. */
  kubeconfigEnv: () => string;
  /** False when opened without the lab's services (plain `ckad-lab history`): screens hide drilling. */
  canDrill: boolean;
  /** A class's exam (`ckad-lab join`) instead of a mock exam; default MOCK_EXAM (cli/exam/flow.ts). */
  exam?: ExamRules;
};

export type AppActions = {
  navigate: (route: Route) => void;
  /** Leave the console; the entry function prints what follows. */
  exit: (outcome: Outcome) => void;
  /** Whether there is a home screen to go back to (the app was opened with `ckad-lab` rather than a subcommand). */
  canGoHome: boolean;
};

export type ExamActions = {
  setupDone: (tasks: readonly PreparedTask[]) => void;
  next: () => void;
  prev: () => void;
  jump: (index: number) => void;
  toggleFlag: () => void;
  end: (reason: EndReason) => void;
  graded: (report: GradeReport) => void;
};

export const ConsoleEnvContext = createContext<ConsoleEnv | null>(null);
export const AppActionsContext = createContext<AppActions | null>(null);
export const ExamStateContext = createContext<ExamSession | null>(null);
export const ExamActionsContext = createContext<ExamActions | null>(null);

const required = <T>(value: T | null, name: string): T => {
  if (value === null) throw new Error(`${name} is used outside its provider`);
  return value;
};

export const useConsoleEnv = (): ConsoleEnv => required(useContext(ConsoleEnvContext), 'ConsoleEnvContext');
export const useAppActions = (): AppActions => required(useContext(AppActionsContext), 'AppActionsContext');
export const useExamState = (): ExamSession => required(useContext(ExamStateContext), 'ExamStateContext');
export const useExamActions = (): ExamActions => required(useContext(ExamActionsContext), 'ExamActionsContext');

// An exam from setup to report. Holds the console lock, owns the session (saved on every change) and shows
// the screen for its phase: setup → running → grading → report.
import { createElement as h, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { finishExam, gradeOptions, MOCK_EXAM } from '../exam/flow.ts';
import { EXIT } from '../exit.ts';
import type { HistoryRecord } from '../exam/history.ts';
import type { Progress } from '../exam/services.ts';
import { phase, reduce, type ExamSession, type SessionAction } from '../exam/session.ts';
import { KeyHints, ProgressView } from './components.ts';
import { ExamActionsContext, ExamStateContext, useAppActions, useExamActions, useExamState, useConsoleEnv, type ExamActions } from './shared.ts';
import { ExamScreen } from './exam-screen.ts';
import { useAsync, useKeys, usePersistentReducer } from './hooks.ts';
import { matches } from './keys.ts';
import { ReportScreen } from './report-screen.ts';

function Problem(props: { title: string; message: string; keys: ReactNode }): ReactNode {
  return h(
    Box,
    { flexDirection: 'column', paddingX: 1 },
    h(Text, { color: 'red', bold: true }, props.title),
    h(Text, null, props.message),
    h(Box, { marginTop: 1 }, props.keys),
  );
}

/** Sets the sandbox and the session's tasks up, with progress; the clock starts when it is done. */
function SetupScreen(): ReactNode {
  const session = useExamState();
  const actions = useExamActions();
  const app = useAppActions();
  const { services } = useConsoleEnv();
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const [title, setTitle] = useState('Preparing the sandbox');
  const [state, retry] = useAsync(async () => {
    setTitle('Preparing the sandbox');
    await services.ensureSandbox(setProgress);
    setTitle(`Setting up ${session.plan.length} task${session.plan.length === 1 ? '' : 's'}`);
    setProgress({ label: 'Starting…', done: 0, total: session.plan.length });
    return services.setupTasks(session.plan, setProgress);
  }, session.id);
  useEffect(() => {
    if (state.status === 'done') actions.setupDone(state.value);
  }, [state, actions]);
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT') || (state.status === 'failed' && matches(input, key, 'QUIT'))) app.exit({ kind: 'left', session });
    else if (state.status === 'failed' && matches(input, key, 'RETRY')) retry();
  });
  if (state.status === 'failed') {
    return h(Problem, {
      title: 'Setup failed',
      message: state.message,
      keys: h(KeyHints, { actions: ['RETRY', 'QUIT'], short: { QUIT: 'quit (the exam is kept: ckad-lab resume sets it up again)' } }),
    });
  }
  return h(
    Box,
    { flexDirection: 'column' },
    h(ProgressView, { title, progress }),
    h(Text, { dimColor: true }, ' The clock starts when every task is ready.'),
  );
}

/** Grades the ended exam; a failure can be retried here or later with `ckad-lab resume`. */
function GradingScreen(): ReactNode {
  const session = useExamState();
  const actions = useExamActions();
  const app = useAppActions();
  const { services, clock } = useConsoleEnv();
  const [state, retry] = useAsync(() => services.grade(session.tasks, gradeOptions(session, clock())), session.id);
  useEffect(() => {
    if (state.status === 'done') actions.graded(state.value);
  }, [state, actions]);
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT') || (state.status === 'failed' && matches(input, key, 'QUIT'))) app.exit({ kind: 'left', session });
    else if (state.status === 'failed' && matches(input, key, 'RETRY')) retry();
  });
  const why = session.ended?.reason === 'timeout' ? "Time's up. " : 'Exam ended. ';
  if (state.status === 'failed') {
    return h(Problem, {
      title: 'Grading failed',
      message: state.message,
      keys: h(KeyHints, { actions: ['RETRY', 'QUIT'], short: { QUIT: 'quit (ckad-lab resume grades it later)' } }),
    });
  }
  return h(Box, { paddingX: 1 }, h(Text, { bold: true }, `${why}Grading ${session.tasks.length} tasks…`));
}

/** Puts the graded exam into history (idempotent), then shows the report. */
function FinishScreen(): ReactNode {
  const session = useExamState();
  const { store } = useConsoleEnv();
  const app = useAppActions();
  const [finished, setFinished] = useState<{ record: HistoryRecord; file: string } | { error: string } | undefined>(undefined);
  useEffect(() => {
    try {
      setFinished(finishExam(store, session));
    } catch (error) {
      setFinished({ error: (error as Error).message });
    }
  }, [store, session]);
  const failed = finished !== undefined && 'error' in finished ? finished.error : undefined;
  useKeys((input, key) => {
    if (failed !== undefined && (matches(input, key, 'QUIT') || matches(input, key, 'INTERRUPT'))) app.exit({ kind: 'failed', code: EXIT.error, message: `${failed} The graded exam is kept; ckad-lab resume tries again.` });
  }, failed !== undefined);
  if (!finished) return h(Text, null, 'Saving to history…');
  if ('error' in finished) return h(Problem, { title: 'Could not save to history', message: finished.error, keys: h(KeyHints, { actions: ['QUIT'] }) });
  return h(ReportScreen, finished);
}

/** A class's exam is graded by the instructor: once ended (and saved as ended), the console hands it in and leaves. */
function HandedInScreen(): ReactNode {
  const session = useExamState();
  const app = useAppActions();
  useEffect(() => app.exit({ kind: 'handed-in', session }), [app, session]);
  return null;
}

function ExamPhase(props: { saveError: string | undefined }): ReactNode {
  const session = useExamState();
  const { exam = MOCK_EXAM } = useConsoleEnv();
  const grading = exam.grading === 'here' ? GradingScreen : HandedInScreen;
  const screen = { setup: SetupScreen, running: ExamScreen, grading, graded: FinishScreen }[phase(session)];
  return h(Box, { flexDirection: 'column' }, props.saveError ? h(Text, { color: 'red' }, props.saveError) : null, h(screen));
}

/** Owns the session: every action goes through the reducer and is saved before it is drawn. */
function ExamSessionProvider(props: { initial: ExamSession }): ReactNode {
  const { store, clock } = useConsoleEnv();
  const save = useCallback((s: ExamSession) => store.saveSession(s), [store]);
  const [session, dispatch, saveError] = usePersistentReducer<ExamSession, SessionAction>(reduce, props.initial, save);
  const actions = useMemo<ExamActions>(
    () => ({
      setupDone: (tasks) => dispatch({ type: 'SETUP_DONE', tasks, at: clock() }),
      next: () => dispatch({ type: 'NEXT' }),
      prev: () => dispatch({ type: 'PREV' }),
      jump: (index) => dispatch({ type: 'JUMP', index }),
      toggleFlag: () => dispatch({ type: 'TOGGLE_FLAG' }),
      end: (reason) => dispatch({ type: 'END', reason, at: clock() }),
      graded: (report) => dispatch({ type: 'GRADED', report }),
    }),
    [dispatch, clock],
  );
  return h(ExamActionsContext.Provider, { value: actions }, h(ExamStateContext.Provider, { value: session }, h(ExamPhase, { saveError })));
}

/**
 * One console per exam: the lock is taken on mount and released on unmount. A lock held by a live process
 * (the exam open in another terminal) is said, not broken.
 */
export function ExamRoute(props: { session: ExamSession }): ReactNode {
  const { store, exam = MOCK_EXAM } = useConsoleEnv();
  const app = useAppActions();
  const [lock, setLock] = useState<'pending' | 'held' | { pid: number }>('pending');
  useEffect(() => {
    const result = store.lock(props.session.id);
    if (!result.ok) {
      setLock({ pid: result.pid });
      return undefined;
    }
    setLock('held');
    return result.release;
  }, [store, props.session.id]);
  useKeys(() => app.exit({ kind: 'failed', code: EXIT.refused, message: `The exam is open in another terminal${typeof lock === 'object' && lock.pid ? ` (process ${lock.pid})` : ''}. Continue there, or close it and run ${exam.resume}.` }), typeof lock === 'object');
  if (lock === 'pending') return null;
  if (lock !== 'held') {
    return h(Problem, {
      title: 'This exam is open in another terminal',
      message: `Process ${lock.pid} has it open. Continue there, or close it and run ${exam.resume} here.`,
      keys: h(Text, { dimColor: true }, 'Any key to quit.'),
    });
  }
  return h(ExamSessionProvider, { initial: props.session });
}

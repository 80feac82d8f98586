// The drill: pick a task, set it up, then check it live as often as wanted.
import { createElement as h, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { Box, Text, useWindowSize } from 'ink';
import { drillState, reduceDrill } from '../exam/drill.ts';
import { pickDrillTask, type DrillChoice } from '../exam/draw.ts';
import { drillRecord, type HistoryRecord } from '../exam/history.ts';
import { newSessionId, sessionPrefix } from '../exam/session.ts';
import { taskResult, type PreparedTask, type Progress } from '../exam/services.ts';
import { formatPercent } from '../report/summary.ts';
import { ACCENT, CheckList, KeyHints, ProgressView, Rule, ScrollText, wrapText } from './components.ts';
import { useAppActions, useConsoleEnv } from './shared.ts';
import { HelpOverlay } from './help.ts';
import { errorText, useAsync, useCountdown, useKeys } from './hooks.ts';
import { matches } from './keys.ts';
import { instructionLines, TaskPane } from './task-pane.ts';

type Mode = 'normal' | 'help' | 'confirm-reset';

export function DrillScreen(props: { id: string; seed: number; task: PreparedTask; why: string; timed: boolean; onNewTask: () => void }): ReactNode {
  const { services, clock, kubeconfigEnv, store } = useConsoleEnv();
  const app = useAppActions();
  const { columns, rows } = useWindowSize();
  const [state, dispatch] = useReducer(reduceDrill, undefined, () => drillState(props.task, clock(), props.timed));
  const [mode, setMode] = useState<Mode>('normal');
  const [offset, setOffset] = useState(0);
  const c = useCountdown(state.deadline, clock);
  const width = Math.max(60, columns - 1);

  const result = state.result;
  const resultRows = result ? result.checks.length + result.checks.filter((x) => !x.passed).length + 2 : 0;
  const extraRows = resultRows + state.hints * 2 + (state.solution ? state.task.solution.split('\n').length + 2 : 0);
  const paneRows = Math.max(4, rows - 12 - extraRows);
  const lineCount = useMemo(() => instructionLines(state.task, width).length, [state.task, width]);
  const maxOffset = Math.max(0, lineCount - paneRows);

  // Every check is saved to history as it comes: the first is the drill's score (see DrillSummary).
  const record = useRef<HistoryRecord | undefined>(undefined);
  const [saveProblem, setSaveProblem] = useState<string | undefined>(undefined);
  const [startedAt] = useState(clock);
  const save = (report: Parameters<typeof drillRecord>[2]) => {
    try {
      const next = drillRecord(record.current, { id: props.id, seed: props.seed, task: state.task, startedAt, timed: props.timed, hintsShown: state.hints }, report, clock());
      if (next === record.current) return setSaveProblem('Some checks could not be graded, so this check is not saved to history.');
      record.current = next;
      if (next) store.saveHistory(next);
      setSaveProblem(undefined);
    } catch (error) {
      setSaveProblem(`Not saved to history: ${(error as Error).message}`);
    }
  };

  const check = () => {
    dispatch({ type: 'CHECK_START' });
    services.grade([state.task]).then(
      (report) => {
        save(report);
        dispatch({ type: 'CHECK_DONE', result: taskResult(report, state.task.id) });
      },
      (error: unknown) => dispatch({ type: 'FAILED', message: `Check failed: ${errorText(error)}` }),
    );
  };
  const reset = () => {
    dispatch({ type: 'RESET_START' });
    services.resetTask(state.task).then(
      (task) => dispatch({ type: 'RESET_DONE', task, at: clock() }),
      (error: unknown) => dispatch({ type: 'FAILED', message: `Reset failed: ${errorText(error)}` }),
    );
  };

  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT')) return app.exit({ kind: 'quit' });
    if (mode === 'help') return setMode('normal');
    if (mode === 'confirm-reset') {
      setMode('normal');
      if (matches(input, key, 'CONFIRM')) reset();
      return;
    }
    if (matches(input, key, 'QUIT')) return app.canGoHome ? app.navigate({ screen: 'home' }) : app.exit({ kind: 'quit' });
    if (matches(input, key, 'HELP')) return setMode('help');
    if (matches(input, key, 'SCROLL_DOWN')) return setOffset((o) => Math.min(maxOffset, o + (key.pageDown || input === ' ' ? paneRows - 1 : 1)));
    if (matches(input, key, 'SCROLL_UP')) return setOffset((o) => Math.max(0, Math.min(maxOffset, o) - (key.pageUp ? paneRows - 1 : 1)));
    if (matches(input, key, 'HINT')) return dispatch({ type: 'HINT' });
    if (matches(input, key, 'SOLUTION')) return dispatch({ type: 'TOGGLE_SOLUTION' });
    if (state.busy !== 'idle') return;
    if (matches(input, key, 'CHECK')) check();
    else if (matches(input, key, 'RESET')) setMode('confirm-reset');
    else if (matches(input, key, 'NEW_TASK')) props.onNewTask();
  });

  const timer = c
    ? h(Text, { color: c.expired ? 'yellow' : undefined }, h(Text, { dimColor: true }, '⏱ '), c.expired ? `suggested ${state.task.minutes} min are up (keep going)` : c.text)
    : h(Text, { dimColor: true }, `untimed · suggested ${state.task.minutes} min`);
  const status =
    state.busy === 'checking'
      ? h(Text, { color: ACCENT }, 'Checking…')
      : state.busy === 'resetting'
        ? h(Text, { color: ACCENT }, 'Resetting the task…')
        : state.problem
          ? h(Text, { color: 'red' }, state.problem)
          : saveProblem
            ? h(Text, { color: 'yellow' }, saveProblem)
            : state.checks === 0
              ? h(Text, { dimColor: true }, "Your first check is this drill's score in history (it decides --weakest); check again as often as you like.")
              : null;
  const footer =
    mode === 'confirm-reset'
      ? h(Text, null, h(Text, { bold: true }, 'Reset the task? '), 'Its namespaces are deleted and set up again.  ', h(Text, { color: 'red', bold: true }, 'y'), ' reset  ', h(Text, { bold: true }, 'n'), ' keep')
      : h(KeyHints, {
          actions: ['CHECK', 'HINT', 'SOLUTION', 'RESET', 'NEW_TASK', 'HELP', 'QUIT'],
          short: { CHECK: 'check', HINT: 'hint', SOLUTION: state.checks > 0 ? 'solution' : 'solution (after a check)', RESET: 'reset', NEW_TASK: 'another task', HELP: 'help', QUIT: 'quit' },
        });

  return h(
    Box,
    { flexDirection: 'column', width },
    h(Box, { justifyContent: 'space-between', width }, h(Text, { bold: true }, 'CKAD drill', h(Text, { dimColor: true }, `  ·  ${props.why}`)), timer),
    h(Rule, { width }),
    mode === 'help'
      ? h(HelpOverlay, { screen: 'drill' })
      : h(
          Box,
          { flexDirection: 'column' },
          h(TaskPane, { task: state.task, heading: 'Drill', kubeconfigEnv: kubeconfigEnv(), width, rows: paneRows, offset }),
          result
            ? h(
                Box,
                { flexDirection: 'column', marginTop: 1 },
                h(
                  Text,
                  { bold: true },
                  `Check ${state.checks}  ·  ${result.score}/${result.maxScore} points  ·  `,
                  result.score >= result.maxScore ? h(Text, { color: 'green' }, 'all checks pass') : h(Text, { color: 'yellow' }, formatPercent((result.score / Math.max(1, result.maxScore)) * 100)),
                ),
                h(CheckList, { checks: result.checks }),
              )
            : null,
          ...state.task.hints.slice(0, state.hints).map((hint, i) => h(Text, { key: `h${i}`, color: 'yellow' }, `Hint ${i + 1}/${state.task.hints.length}: ${hint}`)),
          state.solution
            ? h(
                Box,
                { flexDirection: 'column', marginTop: 1 },
                h(Text, { bold: true }, 'Reference solution'),
                h(ScrollText, { lines: wrapText(state.task.solution.trimEnd(), width - 2), offset: 0, rows: 200 }),
              )
            : null,
        ),
    h(Rule, { width }),
    status,
    footer,
  );
}

/** Picks the task for `choice`, sets it up with progress, then shows the drill. */
export function DrillRoute(props: { choice: DrillChoice; timed: boolean; seed: number; avoid?: string }): ReactNode {
  const { services, store } = useConsoleEnv();
  const app = useAppActions();
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const [state, retry] = useAsync(async () => {
    const catalog = await services.tasks();
    const history = 'weakest' in props.choice ? store.history().records : [];
    const picked = pickDrillTask(catalog, props.choice, props.seed, history, props.avoid);
    if (!picked.ok) throw new Error(picked.message);
    await services.ensureSandbox(setProgress);
    const id = newSessionId();
    const entry = { id: picked.task.id, seed: props.seed, prefix: sessionPrefix('drill', id) };
    const [task] = await services.setupTasks([entry], setProgress);
    if (!task) throw new Error(`Setting up ${picked.task.id} returned nothing.`);
    return { id, task, why: picked.why };
  }, props.seed);
  useKeys((input, key) => {
    if (matches(input, key, 'INTERRUPT') || matches(input, key, 'QUIT')) app.exit(state.status === 'failed' ? { kind: 'error', error: state.error } : { kind: 'quit' });
    else if (state.status === 'failed' && matches(input, key, 'RETRY')) retry();
  }, state.status !== 'done');
  if (state.status === 'failed') {
    return h(Box, { flexDirection: 'column', paddingX: 1 }, h(Text, { color: 'red', bold: true }, 'Cannot start the drill'), h(Text, null, state.message), h(KeyHints, { actions: ['RETRY', 'QUIT'] }));
  }
  if (state.status === 'pending') return h(ProgressView, { title: 'Setting up the drill', progress });
  const { id, task, why } = state.value;
  const choice: DrillChoice = 'id' in props.choice ? { domain: task.domain } : props.choice;
  return h(DrillScreen, {
    key: task.prefix,
    id,
    seed: props.seed,
    task,
    why,
    timed: props.timed,
    onNewTask: () => app.navigate({ screen: 'drill', choice, timed: props.timed, seed: props.seed + 1, avoid: task.id }),
  });
}

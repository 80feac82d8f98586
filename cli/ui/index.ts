// The Ink console's entry points, loaded with a dynamic import() only when a screen is drawn: the dispatcher
// (cli/commands/interactive.ts) has already decided there is a terminal, and runs the plain variants
// (cli/exam/plain.ts) without loading this. Each returns an exit code; errors a screen cannot handle travel on
// to cli/bin.ts, the one exit path.
import { createElement as h } from 'react';
import { render } from 'ink';
import { beginExam, EXIT, handedInMessage, leaveExam, resumeTarget, randomSeed, type ExamRules } from '../exam/flow.ts';
import type { DrillOptions, ExamOptions, HistoryOptions, HomeOptions, ResumeOptions, CommonOptions } from '../exam/flow.ts';
import { drillChoice, type DrillChoice } from '../exam/draw.ts';
import { verdict } from '../exam/history.ts';
import { processOutput, type Output } from '../exam/output.ts';
import type { LabServices } from '../exam/services.ts';
import type { ExamSession } from '../exam/session.ts';
import { ExamStore } from '../exam/store.ts';
import { exportRecord, type ExportOptions } from '../report/export.ts';
import { formatPercent } from '../report/summary.ts';
import { App } from './app.ts';
import type { ConsoleEnv, Outcome, Route } from './shared.ts';
import { trace } from '../trace.ts';

trace('console', 'Ink and the screens loaded');

export type { DrillOptions, ExamOptions, HistoryOptions, HomeOptions, ResumeOptions } from '../exam/flow.ts';
export { EXIT } from '../exam/flow.ts';

const SIGNALS = { SIGINT: 2, SIGHUP: 1, SIGTERM: 15 } as const;

/** No services: history alone cannot set tasks up, so its screen hides drilling. */
const noServices: LabServices = {
  tasks: () => Promise.reject(new Error('Not available here: run ckad-lab drill --weakest.')),
  kubeconfigEnv: () => '',
  sandboxStatus: () => Promise.resolve({ running: false, detail: 'unknown' }),
  ensureSandbox: () => Promise.reject(new Error('Not available here.')),
  setupTasks: () => Promise.reject(new Error('Not available here.')),
  grade: () => Promise.reject(new Error('Not available here.')),
  resetTask: () => Promise.reject(new Error('Not available here.')),
};

/** Run the console from `initial` until it exits, then print what follows (resume hint, summary, exports). */
async function runConsole(services: LabServices, options: CommonOptions & ExportOptions, initial: Route, canGoHome: boolean, canDrill = true, exam?: ExamRules): Promise<number> {
  const output = options.output ?? processOutput;
  const clock = options.now ?? Date.now;
  const lab: ConsoleEnv = { services, store: new ExamStore(options.stateDir), clock, kubeconfigEnv: () => services.kubeconfigEnv(), canDrill, ...(exam ? { exam } : {}) };
  let outcome: Outcome = { kind: 'quit' };
  let signalled: number | undefined;
  const instance = render(h(App, { lab, initial, canGoHome, onOutcome: (o) => (outcome = o) }), { exitOnCtrlC: false, alternateScreen: true });
  // A closed terminal or a kill: the session is already saved; unmounting releases the console lock.
  const handlers = Object.entries(SIGNALS).map(([signal, number]) => {
    const handler = () => {
      signalled = number;
      instance.unmount();
    };
    process.once(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    await instance.waitUntilExit();
  } finally {
    for (const off of handlers) off();
  }
  if (signalled !== undefined) {
    // SIGINT outside raw mode still means "leave": say how to come back, if the terminal is still there. A
    // session that could not be written is tried once more and, failing that, said so after any signal.
    const left = leaveExam(lab.store, undefined, clock(), exam);
    if (left.code !== EXIT.ok || (signalled === SIGNALS.SIGINT && initial.screen === 'exam')) output.err(left.message);
    return 128 + signalled;
  }
  return epilogue(outcome, options, output, clock, lab.store, exam);
}

function epilogue(outcome: Outcome, options: ExportOptions, output: Output, clock: () => number, store: ExamStore, exam?: ExamRules): number {
  switch (outcome.kind) {
    case 'quit':
      return EXIT.ok;
    case 'handed-in':
      output.err(handedInMessage(outcome.session));
      return EXIT.ok;
    case 'left': {
      const left = leaveExam(store, outcome.session, clock(), exam);
      output.err(left.message);
      return left.code;
    }
    case 'failed':
      output.err(outcome.message);
      return outcome.code;
    case 'error':
      // Shown on the screen already; now that Ink has let go of the terminal, cli/bin.ts says it for good.
      throw outcome.error;
    case 'finished': {
      const r = outcome.record;
      output.err(`Score ${formatPercent(r.percent)} (${r.score}/${r.maxScore}) · ${verdict(r)} · saved to ${outcome.file}`);
      output.err(`Show it again: ckad-lab report ${r.id}  (--json, --junit FILE)`);
      // A file that cannot be written is a UserError for cli/bin.ts; the attempt is in history already.
      for (const note of exportRecord(r, options, output, 'exam')) output.err(note);
      return EXIT.ok;
    }
  }
}

/** `ckad-lab` and `npm start` (with `prepareSandbox`). */
export function runHome(services: LabServices, options: HomeOptions): Promise<number> {
  const home: Route = { screen: 'home' };
  return runConsole(services, options, options.prepareSandbox ? { screen: 'sandbox', then: home } : home, true);
}

/** `ckad-lab exam [--tasks N] [--minutes M] [--seed S] [--abandon] [--json] [--junit FILE]`. */
export async function runExam(services: LabServices, options: ExamOptions): Promise<number> {
  const output = options.output ?? processOutput;
  const begun = await beginExam(services, new ExamStore(options.stateDir), options);
  if (!begun.ok) {
    output.err(begun.message);
    return begun.code;
  }
  for (const note of begun.notes) output.err(note);
  return runConsole(services, options, { screen: 'exam', session: begun.session }, false);
}

/** `ckad-lab resume`: the exam in progress, with its deadline unchanged. */
export async function runResume(services: LabServices, options: ResumeOptions): Promise<number> {
  const target = resumeTarget(new ExamStore(options.stateDir));
  if (!target.ok) {
    (options.output ?? processOutput).err(target.message);
    return target.code;
  }
  return runConsole(services, options, { screen: 'exam', session: target.session }, false);
}

/**
 * `ckad-lab join FILE.kubeconfig`: a class's exam, already set up by the instructor and saved as `session` in
 * `options.stateDir` (the candidate's own store). No lab worker: nothing here touches the cluster, and nothing
 * is graded (ending hands it in).
 */
export function runJoin(session: ExamSession, rules: ExamRules, kubeconfigEnv: string, options: CommonOptions): Promise<number> {
  const services: LabServices = { ...noServices, kubeconfigEnv: () => kubeconfigEnv };
  return runConsole(services, options, { screen: 'exam', session }, false, false, rules);
}

/** `ckad-lab drill [TASK_ID | --domain D | --weakest] [--timed] [--seed S]`. */
export function runDrill(services: LabServices, options: DrillOptions): Promise<number> {
  const choice: DrillChoice = drillChoice(options);
  return runConsole(services, options, { screen: 'drill', choice, timed: options.timed ?? false, seed: options.seed ?? randomSeed() }, false);
}

/** `ckad-lab history [--json]`. With `services`, the screen also offers to drill the weakest domain. */
export function runHistory(options: HistoryOptions, services?: LabServices): Promise<number> {
  return runConsole(services ?? noServices, options, { screen: 'history' }, false, services !== undefined);
}

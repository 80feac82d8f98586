// The commands without a TTY (CI, pipes): plain text, never raw mode, never React. Where a screen needs a
// terminal, they say which headless command does the job instead.
import { DOMAINS, taskPoints } from '../../tasks/schema.ts';
import { exportRecord } from '../report/export.ts';
import { renderTextHistory, renderTextReport, renderTextStandings } from '../report/text.ts';
import { catalog } from '../lab/catalog.ts';
import { competencyStandings, drawExam, drillChoice, pickDrillTask, weakestDomains, type CompetencyStanding, type DomainStanding, type DrillChoice } from './draw.ts';
import {
  DEFAULT_MINUTES,
  DEFAULT_TASKS,
  describeInProgress,
  EXIT,
  gradeToHistory,
  randomSeed,
  resumeTarget,
  type DrillOptions,
  type ExamOptions,
  type HistoryOptions,
  type HomeOptions,
  type ReportOptions,
  type ResumeOptions,
} from './flow.ts';
import { processOutput } from './output.ts';
import type { LabServices } from './services.ts';
import { phase } from './session.ts';
import { ExamStore } from './store.ts';

const NEEDS_TTY = 'The exam console needs an interactive terminal (stdin and stdout a TTY, CI unset).';

const HEADLESS = [
  'Headless, one task at a time:',
  '  ckad-lab setup TASK_ID             set the task up in the sandbox and print its instructions',
  '  ckad-lab grade TASK_ID [--json]    grade it',
];

export async function plainHome(services: LabServices, options: HomeOptions): Promise<number> {
  const output = options.output ?? processOutput;
  const status = await services.sandboxStatus();
  const lines = [`ckad-lab · sandbox ${status.running ? 'running' : 'not running'}: ${status.detail}`];
  const active = new ExamStore(options.stateDir).active();
  if (active?.session) lines.push(`In progress: ${describeInProgress(active.session, (options.now ?? Date.now)())}`);
  lines.push(
    '',
    NEEDS_TTY,
    'Commands:',
    `  ckad-lab exam [--tasks N] [--minutes M] [--seed S]   a mock exam (${DEFAULT_TASKS} tasks, ${DEFAULT_MINUTES} min)`,
    '  ckad-lab drill [TASK_ID | --domain D | --weakest]     one task at a time',
    '  ckad-lab resume                                       continue the exam in progress',
    '  ckad-lab history [--json] [--standings]               past attempts, weakest domains and competencies',
    ...HEADLESS,
  );
  output.out(lines.join('\n'));
  return EXIT.ok;
}

/**
 * Prints the exam the seed draws and the headless commands; sets nothing up. With --abandon it does what the
 * messages about a stuck or corrupt exam promise: sets the exam in progress aside, and says what it did.
 */
export async function plainExam(services: LabServices, options: ExamOptions): Promise<number> {
  const output = options.output ?? processOutput;
  if (options.abandon) {
    const done = new ExamStore(options.stateDir).abandon((options.now ?? Date.now)());
    output.err(done.length > 0 ? done.join('\n') : 'No exam was in progress: there was nothing to abandon.');
    output.out(`${NEEDS_TTY} Start a new exam in a terminal: ckad-lab exam`);
    return EXIT.ok;
  }
  const seed = options.seed ?? randomSeed();
  const draw = drawExam(await services.tasks(), options.tasks ?? DEFAULT_TASKS, seed);
  const lines = [NEEDS_TTY, `The exam seed ${seed} draws these ${draw.tasks.length} tasks:`];
  draw.tasks.forEach((t, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${t.id.padEnd(32)} ${String(taskPoints(t)).padStart(3)} pts  ${DOMAINS[t.domain].title}`));
  if (draw.shortfall) lines.push(draw.shortfall);
  lines.push(...HEADLESS);
  output.out(lines.join('\n'));
  return EXIT.ok;
}

export async function plainDrill(services: LabServices, options: DrillOptions): Promise<number> {
  const output = options.output ?? processOutput;
  const choice: DrillChoice = drillChoice(options);
  const history = options.weakest ? new ExamStore(options.stateDir).history().records : [];
  const seed = options.seed ?? randomSeed();
  const picked = pickDrillTask(await services.tasks(), choice, seed, history);
  if (!picked.ok) {
    output.err(picked.message);
    return EXIT.refused;
  }
  const t = picked.task;
  output.out(
    [
      NEEDS_TTY,
      `Drill (${picked.why}): ${t.id} · ${t.title} · ${DOMAINS[t.domain].title} · ${taskPoints(t)} pts · about ${t.minutes} min`,
      `  ckad-lab setup ${t.id}   set it up and print its instructions`,
      `  ckad-lab grade ${t.id}   grade it (checks with expected and actual)`,
    ].join('\n'),
  );
  return EXIT.ok;
}

/**
 * Without a console, resume can still finish what needs no keys: an exam whose time is up, or that ended
 * before it was graded, is graded and reported. A running exam is only described.
 */
export async function plainResume(services: LabServices, options: ResumeOptions): Promise<number> {
  const output = options.output ?? processOutput;
  const store = new ExamStore(options.stateDir);
  const now = (options.now ?? Date.now)();
  const target = resumeTarget(store);
  if (!target.ok) {
    output.err(target.message);
    return target.code;
  }
  const session = target.session;
  const expired = session.deadline !== null && now >= session.deadline;
  if (phase(session) === 'setup' || (phase(session) === 'running' && !expired)) {
    output.out(`In progress: ${describeInProgress(session, now)}\n${NEEDS_TTY} Run ckad-lab resume in a terminal to continue.`);
    return EXIT.ok;
  }
  const { record, file } = await gradeToHistory(services, store, session, now);
  if (!options.json) output.out(renderTextReport(record));
  const notes = exportRecord(record, options, output);
  output.err([`Saved to history: ${file}`, ...notes].join('\n'));
  return EXIT.ok;
}

/**
 * `history [--json] [--standings]`. `--json` stays what it always was, the array of records; the standings come as
 * a JSON object only when asked for (`--standings --json`), so scripts reading the array keep working.
 */
export async function plainHistory(options: HistoryOptions & { standings?: boolean }): Promise<number> {
  const output = options.output ?? processOutput;
  const { records, problems } = new ExamStore(options.stateDir).history();
  for (const p of problems) output.err(p);
  if (options.json && !options.standings) {
    output.out(`${JSON.stringify(records, null, 2)}\n`);
    return EXIT.ok;
  }
  // The competency of each task comes from the catalog (records keep only the domain); a catalog that
  // cannot be read costs only that section, and says so.
  const tasks = await catalog().catch((error: unknown) => {
    output.err(`Per-competency standings left out: the task catalog could not be read (${(error as Error).message}).`);
    return [];
  });
  const domains = weakestDomains(records);
  const competencies = competencyStandings(records, tasks);
  if (options.json) output.out(`${JSON.stringify(historyStandings(domains, competencies), null, 2)}\n`);
  else if (options.standings) output.out(renderTextStandings(domains, competencies));
  else output.out(renderTextHistory(records, domains, competencies));
  return EXIT.ok;
}

/**
 * The `history --standings --json` object: domains and competencies, weakest first, from fully graded attempts
 * only (the last 5 attempts of each domain, the last 5 tasks of each competency); percent to one decimal.
 */
export function historyStandings(domains: readonly DomainStanding[], competencies: readonly CompetencyStanding[]): { domains: DomainStanding[]; competencies: CompetencyStanding[] } {
  const tenth = (percent: number): number => Math.round(percent * 10) / 10;
  return {
    domains: domains.map((d) => ({ ...d, percent: tenth(d.percent) })),
    competencies: competencies.map((c) => ({ ...c, percent: tenth(c.percent) })),
  };
}

/** `ckad-lab report [ID] [--json] [--junit FILE]`: an attempt from history again. Plain in any terminal. */
export async function runReport(options: ReportOptions): Promise<number> {
  const output = options.output ?? processOutput;
  const store = new ExamStore(options.stateDir);
  // The newest attempt comes from the whole history, whose unreadable files are named as `history` names them.
  const { records, problems } = options.id === undefined ? store.history() : { records: [], problems: [] };
  const record = options.id === undefined ? records.at(-1) : store.historyRecord(options.id);
  for (const p of problems) output.err(p);
  if (!record) {
    if (options.id) output.err(`No attempt ${options.id} in history. List them: ckad-lab history`);
    else if (problems.length > 0) output.err(`No readable attempt: ${problems.length === 1 ? 'the one history file' : `all ${problems.length} history files`} could not be read (above).`);
    else output.err('No finished attempts yet. Take a mock exam: ckad-lab exam');
    return problems.length > 0 ? EXIT.error : EXIT.refused;
  }
  if (!options.json) output.out(renderTextReport(record));
  const notes = exportRecord(record, options, output);
  if (notes.length) output.err(notes.join('\n'));
  return EXIT.ok;
}

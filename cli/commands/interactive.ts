// The screens: home, exam, drill, resume, history. Interactive or plain is decided here, once, before
// anything else is loaded: the plain variants never load Ink or React (test/unit/headless.test.ts).
import { isCompetency, suggestCompetency } from '../../tasks/schema.ts';
import { UserError } from '../../sandbox/errors.ts';
import { stateDir } from '../../sandbox/paths.ts';
import { CLUSTER_OPTIONS, domainOption, intOption, outputPath, parse, SEED_RANGE } from '../args.ts';
import { EXIT } from '../exit.ts';
import type { ClusterFlags } from '../lab/open.ts';
import { remoteLabServices } from '../lab/remote.ts';

export const isInteractive = (): boolean => process.stdout.isTTY === true && process.stdin.isTTY === true && !process.env.CI;

const EXPORT_OPTIONS = { json: { type: 'boolean' }, junit: { type: 'string' } } as const;

export async function interactiveCommand(command: string, argv: string[]): Promise<number> {
  const interactive = isInteractive();
  const common = { stateDir: stateDir(), interactive };
  // Decided here, before anything is loaded: without a terminal the plain variant runs in this process (no
  // lab worker, no Ink, no React); with one, the lab worker starts before Ink loads (`ui()`), so the two load
  // side by side.
  const ui = () => import('../ui/index.ts');
  const plain = () => import('../exam/plain.ts');
  const inProcess = async (flags: ClusterFlags) => (await import('../lab/services.ts')).labServices(flags, stateDir());
  switch (command) {
    case 'home': {
      const { values } = parse('home', argv, { ...CLUSTER_OPTIONS }, 'ckad-lab [home] [--context NAME]');
      if (!interactive) return (await plain()).plainHome(await inProcess(values), common);
      const services = remoteLabServices(values, stateDir());
      return (await ui()).runHome(services, common);
    }
    case 'exam': {
      const usage = 'ckad-lab exam [--tasks N] [--minutes M] [--seed S] [--abandon] [--json] [--junit FILE]';
      const { values } = parse('exam', argv, { tasks: { type: 'string' }, minutes: { type: 'string' }, seed: { type: 'string' }, abandon: { type: 'boolean' }, ...EXPORT_OPTIONS, ...CLUSTER_OPTIONS }, usage);
      const options = {
        ...common,
        ...optional('tasks', intOption('exam', 'tasks', values.tasks, { min: 1, max: 100 })),
        ...optional('minutes', intOption('exam', 'minutes', values.minutes, { min: 1, max: 600 })),
        ...optional('seed', intOption('exam', 'seed', values.seed, SEED_RANGE)),
        ...(values.abandon ? { abandon: true } : {}),
        ...(values.json ? { json: true } : {}),
        ...optional('junit', outputPath('exam', 'junit', values.junit)),
      };
      if (!interactive) return (await plain()).plainExam(await inProcess(values), options);
      const services = remoteLabServices(values, stateDir(), { prepareSandbox: true });
      return (await ui()).runExam(services, options);
    }
    case 'drill': {
      const usage = 'ckad-lab drill [TASK_ID | --competency C | --domain D | --weakest] [--timed] [--seed S]';
      const { values, positionals } = parse('drill', argv, { competency: { type: 'string' }, domain: { type: 'string' }, weakest: { type: 'boolean' }, timed: { type: 'boolean' }, seed: { type: 'string' }, ...CLUSTER_OPTIONS }, usage, { positionals: 1 });
      const domain = domainOption('drill', values.domain);
      if (values.competency !== undefined && !isCompetency(values.competency)) {
        throw new UserError(`ckad-lab drill: --competency ${values.competency} is not a CKAD competency.`, { hint: `${suggestCompetency(values.competency)} List them with: ckad-lab tasks list`, exitCode: EXIT.refused });
      }
      if ([positionals.length > 0, values.competency !== undefined, domain !== undefined, values.weakest === true].filter(Boolean).length > 1) {
        throw new UserError('ckad-lab drill: choose one of TASK_ID, --competency C, --domain D or --weakest.', { hint: `Usage: ${usage}`, exitCode: EXIT.refused });
      }
      const options = {
        ...common,
        ...optional('taskId', positionals[0]),
        ...optional('competency', values.competency),
        ...optional('domain', domain),
        ...(values.weakest ? { weakest: true } : {}),
        ...(values.timed ? { timed: true } : {}),
        ...optional('seed', intOption('drill', 'seed', values.seed, SEED_RANGE)),
      };
      if (!interactive) return (await plain()).plainDrill(await inProcess(values), options);
      const services = remoteLabServices(values, stateDir(), { prepareSandbox: true });
      return (await ui()).runDrill(services, options);
    }
    case 'resume': {
      const { values } = parse('resume', argv, { ...EXPORT_OPTIONS, ...CLUSTER_OPTIONS }, 'ckad-lab resume [--json] [--junit FILE]');
      const options = { ...common, ...(values.json ? { json: true } : {}), ...optional('junit', outputPath('resume', 'junit', values.junit)) };
      if (!interactive) return (await plain()).plainResume(await inProcess(values), options);
      const services = remoteLabServices(values, stateDir());
      return (await ui()).runResume(services, options);
    }
    case 'history': {
      const { values } = parse('history', argv, { json: { type: 'boolean' }, standings: { type: 'boolean' }, ...CLUSTER_OPTIONS }, 'ckad-lab history [--json] [--standings]');
      const options = { ...common, ...(values.json ? { json: true } : {}) };
      if (!interactive || values.json || values.standings) return (await plain()).plainHistory({ ...options, ...(values.standings ? { standings: true } : {}) });
      const services = remoteLabServices(values, stateDir());
      return (await ui()).runHistory(options, services);
    }
    default:
      throw new UserError(`Unknown command "${command}".`, { exitCode: EXIT.refused });
  }
}

/** `{ [key]: value }`, or nothing when the value is undefined (the options types are exact). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [k in K]: V }));

/** `npm start`: prepare the sandbox (build once, start) with progress, then the home screen. */
export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parse('start', argv, { ...CLUSTER_OPTIONS }, 'ckad-lab start [--context NAME]');
  if (!isInteractive()) {
    // Headless: prepare the sandbox with plain progress and say how to use it.
    const { sandboxProgressPrinter } = await import('../progress.ts');
    const { openLab } = await import('../lab/open.ts');
    const lab = await openLab(values, { ensureSandbox: true, onProgress: sandboxProgressPrinter() });
    process.stdout.write(
      `The sandbox is running (context ${lab.kube.context}, ${lab.kube.server}).\n\n` +
        `Point kubectl at it (v1.35 kubectl first on PATH):\n  eval "$(npx ckad-lab sandbox env)"\n\n` +
        `This terminal is not interactive, so no exam console opens. Headless commands:\n` +
        `  npx ckad-lab tasks list                  the catalog\n` +
        `  npx ckad-lab setup configmap-from-literals   set a task up, print its instructions\n` +
        `  npx ckad-lab grade configmap-from-literals   grade it, with expected and actual for every check\n` +
        `In a terminal, \`npm start\` opens the exam console.\n`,
    );
    return 0;
  }
  const services = remoteLabServices(values, stateDir());
  const ui = await import('../ui/index.ts');
  return ui.runHome(services, { stateDir: stateDir(), interactive: true, prepareSandbox: true });
}

/** `ckad-lab report [ID] [--regrade] [--json] [--junit FILE]`: plain text, no Ink. */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('report', argv, { regrade: { type: 'boolean' }, ...EXPORT_OPTIONS, ...CLUSTER_OPTIONS }, 'ckad-lab report [ID] [--regrade] [--json] [--junit FILE]', { positionals: 1 });
  const options = { stateDir: stateDir(), interactive: false, ...optional('id', positionals[0]), ...(values.json ? { json: true } : {}), ...optional('junit', outputPath('report', 'junit', values.junit)) };
  if (values.regrade) {
    // Grading needs the cluster: in this process, as every headless command (errors keep their kind).
    const [{ runRegrade }, { labServices }] = await Promise.all([import('../exam/regrade.ts'), import('../lab/services.ts')]);
    return runRegrade(labServices(values, stateDir()), options);
  }
  const { runReport } = await import('../exam/plain.ts');
  return runReport(options);
}

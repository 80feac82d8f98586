// The screens: home, exam, drill, resume, history. Interactive or plain is decided here, once; Ink is
// imported only now.
import { DOMAINS, isCompetency, suggestCompetency, type Domain } from '../../tasks/schema.ts';
import { UserError } from '../../sandbox/errors.ts';
import { stateDir } from '../../sandbox/paths.ts';
import { CLUSTER_OPTIONS, intOption, parse } from '../args.ts';
import { remoteLabServices } from '../lab/remote.ts';

export const isInteractive = (): boolean => process.stdout.isTTY === true && process.stdin.isTTY === true && !process.env.CI;

const EXPORT_OPTIONS = { json: { type: 'boolean' }, junit: { type: 'string' } } as const;

export async function interactiveCommand(command: string, argv: string[]): Promise<number> {
  const common = { stateDir: stateDir(), interactive: isInteractive() };
  // Each branch starts the lab worker before it loads Ink (`ui()`), so the two load side by side.
  const ui = () => import('../ui/index.ts');
  switch (command) {
    case 'home': {
      const { values } = parse('', argv, { ...CLUSTER_OPTIONS }, 'ckad-lab [--context NAME]');
      const services = remoteLabServices(values, stateDir());
      return (await ui()).runHome(services, common);
    }
    case 'exam': {
      const usage = 'ckad-lab exam [--tasks N] [--minutes M] [--seed S] [--abandon] [--json] [--junit FILE]';
      const { values } = parse('exam', argv, { tasks: { type: 'string' }, minutes: { type: 'string' }, seed: { type: 'string' }, abandon: { type: 'boolean' }, ...EXPORT_OPTIONS, ...CLUSTER_OPTIONS }, usage);
      const tasks = intOption('exam', 'tasks', values.tasks, 1);
      const minutes = intOption('exam', 'minutes', values.minutes, 1);
      const seed = intOption('exam', 'seed', values.seed);
      const services = remoteLabServices(values, stateDir(), { prepareSandbox: common.interactive });
      return (await ui()).runExam(services, {
        ...common,
        ...(tasks !== undefined ? { tasks } : {}),
        ...(minutes !== undefined ? { minutes } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(values.abandon ? { abandon: true } : {}),
        ...(values.json ? { json: true } : {}),
        ...(values.junit ? { junit: values.junit } : {}),
      });
    }
    case 'drill': {
      const usage = 'ckad-lab drill [TASK_ID | --competency C | --domain D | --weakest] [--timed] [--seed S]';
      const { values, positionals } = parse('drill', argv, { competency: { type: 'string' }, domain: { type: 'string' }, weakest: { type: 'boolean' }, timed: { type: 'boolean' }, seed: { type: 'string' }, ...CLUSTER_OPTIONS }, usage);
      if (values.domain !== undefined && !(values.domain in DOMAINS)) {
        throw new UserError(`ckad-lab drill: --domain ${values.domain} is not a CKAD domain.`, { hint: `Domains: ${Object.keys(DOMAINS).join(', ')}`, exitCode: 2 });
      }
      if (values.competency !== undefined && !isCompetency(values.competency)) {
        throw new UserError(`ckad-lab drill: --competency ${values.competency} is not a CKAD competency.`, { hint: `${suggestCompetency(values.competency)} List them with: ckad-lab tasks list`, exitCode: 2 });
      }
      if ([positionals.length > 0, values.competency !== undefined, values.domain !== undefined, values.weakest === true].filter(Boolean).length > 1 || positionals.length > 1) {
        throw new UserError('ckad-lab drill: choose one of TASK_ID, --competency C, --domain D or --weakest.', { hint: `Usage: ${usage}`, exitCode: 2 });
      }
      const seed = intOption('drill', 'seed', values.seed);
      const services = remoteLabServices(values, stateDir(), { prepareSandbox: common.interactive });
      return (await ui()).runDrill(services, {
        ...common,
        ...(positionals[0] ? { taskId: positionals[0] } : {}),
        ...(values.competency ? { competency: values.competency } : {}),
        ...(values.domain ? { domain: values.domain as Domain } : {}),
        ...(values.weakest ? { weakest: true } : {}),
        ...(values.timed ? { timed: true } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
    }
    case 'resume': {
      const { values } = parse('resume', argv, { ...EXPORT_OPTIONS, ...CLUSTER_OPTIONS }, 'ckad-lab resume [--json] [--junit FILE]');
      const services = remoteLabServices(values, stateDir());
      return (await ui()).runResume(services, { ...common, ...(values.json ? { json: true } : {}), ...(values.junit ? { junit: values.junit } : {}) });
    }
    case 'history': {
      const { values } = parse('history', argv, { json: { type: 'boolean' }, ...CLUSTER_OPTIONS }, 'ckad-lab history [--json]');
      const services = remoteLabServices(values, stateDir());
      return (await ui()).runHistory({ ...common, ...(values.json ? { json: true } : {}) }, services);
    }
    default:
      throw new UserError(`Unknown command "${command}".`, { exitCode: 2 });
  }
}

/** `npm start`: prepare the sandbox (build once, start) with progress, then the home screen. */
export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parse('start', argv, { ...CLUSTER_OPTIONS }, 'ckad-lab start [--context NAME]');
  if (!isInteractive()) {
    // Headless: prepare the sandbox with plain progress and say how to use it.
    const { sandboxProgressPrinter } = await import('../progress.ts');
    const { openLab } = await import('../lab/context.ts');
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
  const { values, positionals } = parse('report', argv, { regrade: { type: 'boolean' }, ...EXPORT_OPTIONS, ...CLUSTER_OPTIONS }, 'ckad-lab report [ID] [--regrade] [--json] [--junit FILE]');
  if (values.regrade) {
    // Grading needs the cluster: the lab worker, as in the console.
    const { runRegrade } = await import('../exam/regrade.ts');
    return runRegrade(remoteLabServices(values, stateDir()), { stateDir: stateDir(), interactive: false, ...(positionals[0] ? { id: positionals[0] } : {}), ...(values.json ? { json: true } : {}), ...(values.junit ? { junit: values.junit } : {}) });
  }
  const { runReport } = await import('../exam/plain.ts');
  return runReport({ stateDir: stateDir(), interactive: false, ...(positionals[0] ? { id: positionals[0] } : {}), ...(values.json ? { json: true } : {}), ...(values.junit ? { junit: values.junit } : {}) });
}

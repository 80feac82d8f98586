// The dispatcher. Headless commands never load Ink/React; the screens are imported only when drawn.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../sandbox/errors.ts';
import { SANDBOX_USAGE } from './commands/sandbox-usage.ts';

// Each command's module is loaded only when it runs: the console must not pay for the cluster client, and
// `--help` for neither.
const sandbox = () => import('./commands/sandbox.ts');
const tasks = () => import('./commands/tasks.ts');
const interactive = () => import('./commands/interactive.ts');
const klass = () => import('./commands/class.ts');

export const USAGE = `ckad-lab: practise the CKAD exam against a real Kubernetes control plane

Usage: ckad-lab [command] [options]

  (no command)              the home screen: mock exam, drill, history, sandbox
  start                     prepare the sandbox (build once, start), then the home screen

Exam practice
  exam [--tasks N] [--minutes M] [--seed S]    a timed mock exam (default 16 tasks, 120 minutes)
  drill [ID | --competency C | --domain D | --weakest]   one task at a time, checked on demand
  resume                                       continue an interrupted exam (its deadline kept running)
  history [--json] [--standings]               past attempts, your weakest domains and competencies
                                               (--standings: only those; with --json, as one object)
  report [ID] [--json] [--junit FILE]          an attempt's full report (default: the latest)
  report [ID] --regrade                        grade again an exam that ended while the sandbox was down

Tasks, headless (CI, scripts, instructors)
  tasks list [--json] [--domain D] [--competency C]   the catalog, by domain and competency
  tasks lint [PATH...]                         check task files (file:line:col errors)
  tasks verify [ID...] [--json]                prove tasks on the cluster: 0 untouched, 100% solved, <100% wrong
  setup ID... [--seed N] [--prefix P] [--json] set tasks up in fresh namespaces; prints the instructions
  grade ID... [--prefix P] [--json] [--junit FILE]   grade tasks (read-only; any context)
  solve ID [--prefix P]                        run a task's reference solution

Bootcamp classes (one cluster, each candidate locked into their own namespaces)
  class create NAME --candidates a,b | --roster FILE [--tasks IDS | --exam N] [--minutes M]
  class list, class watch|grade|end|delete NAME, class extend NAME CANDIDATE --minutes M   (ckad-lab class --help)
  join FILE.kubeconfig                         a candidate's exam console for the class in that kubeconfig

Sandbox
${SANDBOX_USAGE.split('\n').slice(2).map((l) => '  sandbox ' + l.trimStart()).filter((l) => l.trim() !== 'sandbox').join('\n')}

Cluster options (every command that talks to a cluster)
  --context NAME            use this context of your kubeconfig (KUBECONFIG or ~/.kube/config) instead of the sandbox
  --allow-context NAME      allow ckad-lab to change that context (it never changes a cluster it did not create otherwise)

Files: sandbox and history in \${XDG_STATE_HOME:-~/.local/state}/ckad-lab, binaries in \${XDG_CACHE_HOME:-~/.cache}/ckad-lab,
config in \${XDG_CONFIG_HOME:-~/.config}/ckad-lab/config.yaml, task files in \${CKAD_LAB_WORKDIR:-~/ckad-lab}.
`;

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'home':
    case 'exam':
    case 'drill':
    case 'resume':
    case 'history':
      return (await interactive()).interactiveCommand(command ?? 'home', rest);
    case 'start':
      return (await interactive()).startCommand(rest);
    case 'report':
      return (await interactive()).reportCommand(rest);
    case 'sandbox':
      return (await sandbox()).sandboxCommand(rest);
    case 'class':
      return (await klass()).classCommand(rest);
    case 'join':
      return (await klass()).joinCommand(rest);
    case 'tasks':
      return (await tasks()).tasksCommand(rest);
    case 'setup':
      return (await tasks()).setupCommand(rest);
    case 'grade':
      return (await tasks()).gradeCommand(rest);
    case 'solve':
      return (await tasks()).solveCommand(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(version() + '\n');
      return 0;
    default:
      throw new UserError(`Unknown command "${command}".`, { hint: 'See `ckad-lab --help`.', exitCode: 2 });
  }
}

// The lab worker: the exam console's cluster side, in a process of its own. The console only draws; setting
// tasks up, grading and clearing away old namespaces (the cluster client, TLS, JSON) happen here, so keys and
// the countdown never wait on them. Requests and answers are JSON lines on stdin/stdout (see remote.ts).
//   argv: <cluster flags as JSON> <state dir>
import { createInterface } from 'node:readline';
import { labServices } from './services.ts';
import { trace } from '../trace.ts';

trace('worker', 'process started', performance.timeOrigin);
trace('worker', 'modules loaded');

export type Request = { id: number; method: 'tasks' | 'sandboxStatus' | 'ensureSandbox' | 'setupTasks' | 'grade' | 'resetTask'; args: unknown[] };
export type Reply = { id: number; result?: unknown; progress?: unknown; error?: string };

const [flags = '{}', stateDir = ''] = process.argv.slice(2);
const services = labServices(JSON.parse(flags) as Parameters<typeof labServices>[0], stateDir);
// Grading and resetting need the catalog (setting up is handed the tasks it sets up). Reading it takes the
// event loop for a while, so it is read once the first set-up is done, while the candidate reads the task.
let warmed = false;
const warmUp = () => {
  if (warmed) return;
  warmed = true;
  setTimeout(() => void services.tasks().catch(() => {}), 0);
};
const send = (reply: Reply) => process.stdout.write(`${JSON.stringify(reply)}\n`);

async function handle({ id, method, args }: Request): Promise<void> {
  const progress = (p: unknown) => send({ id, progress: p });
  trace('worker', `${method} started`);
  try {
    const a = args as never[];
    const result =
      method === 'tasks' ? await services.tasks()
      : method === 'sandboxStatus' ? await services.sandboxStatus()
      : method === 'ensureSandbox' ? await services.ensureSandbox(progress)
      : method === 'setupTasks' ? await services.setupTasks(a[0] as never, progress, a[1] as never)
      : method === 'grade' ? await services.grade(a[0] as never, a[1] as never)
      : method === 'resetTask' ? await services.resetTask(a[0] as never)
      : Promise.reject(new Error(`unknown lab worker method ${String(method)}`));
    trace('worker', `${method} done`);
    send({ id, result: result ?? null });
    if (method === 'setupTasks') warmUp();
  } catch (error) {
    const e = error as Error & { hint?: string };
    send({ id, error: e.hint ? `${e.message}\n${e.hint}` : e.message });
  }
}

createInterface({ input: process.stdin }).on('line', (line) => void handle(JSON.parse(line) as Request));
// When the console goes, stdin ends: work in flight (a clean-up) finishes, then the process exits by itself.
// A hard stop keeps a stuck request from leaving it behind.
process.stdin.on('end', () => setTimeout(() => process.exit(0), 60_000).unref());

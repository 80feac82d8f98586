// The lab worker: the exam console's cluster side, in a process of its own. The console only draws; setting
// tasks up, grading and clearing away old namespaces (the cluster client, TLS, JSON) happen here, so keys and
// the countdown never wait on them. Started by remote.ts with child_process.fork; requests and answers travel
// over the IPC channel, typed by channel.ts.
//   argv: <cluster flags as JSON> <state dir>
import { serve } from './channel.ts';
import { labServices } from './services.ts';
import { trace } from '../trace.ts';

trace('worker', 'process started', performance.timeOrigin);
trace('worker', 'modules loaded');

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

serve(
  {
    sandboxStatus: () => services.sandboxStatus(),
    ensureSandbox: (_args, onProgress) => services.ensureSandbox(onProgress),
    setupTasks: ([entries, , definitions], onProgress) => services.setupTasks(entries, onProgress, definitions),
    grade: ([tasks, options]) => services.grade(tasks, options),
    resetTask: ([task]) => services.resetTask(task),
  },
  {
    started: (method) => trace('worker', `${method} started`),
    answered: (method) => {
      trace('worker', `${method} done`);
      if (method === 'setupTasks') warmUp();
    },
  },
);
// When the console goes, the channel closes: work in flight (a clean-up) finishes, then the process exits by
// itself. A hard stop keeps a stuck request from leaving it behind.
process.on('disconnect', () => setTimeout(() => process.exit(0), 60_000).unref());

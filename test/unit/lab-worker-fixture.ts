// A lab worker for test/unit/lab-channel.test.ts: the real channel (serve) over fake handlers, in a process
// that also writes stray output and sends a message that is not the channel's, as a library might.
import { serve } from '../../cli/lab/channel.ts';
import { CouldNotGrade } from '../../graders/reader.ts';
import { UserError } from '../../sandbox/errors.ts';

process.stdout.write('{"this is not": "a reply"\nnor is this\n');
process.send?.({ id: 1, result: 'a message of some other protocol' });
process.send?.('a bare string');

serve({
  sandboxStatus: async () => ({ running: true, detail: 'fixture' }),
  ensureSandbox: async (_args, onProgress) => {
    onProgress({ label: 'starting etcd', done: 1, total: 2 });
    onProgress({ label: 'starting the API server', done: 2, total: 2 });
  },
  setupTasks: async ([entries]) => {
    if (entries.some((e) => e.id === 'crash')) process.exit(7);
    return [];
  },
  grade: async () => {
    throw new CouldNotGrade('cannot reach the API server on context kwok-ckad-lab (ECONNREFUSED)');
  },
  resetTask: async () => {
    throw new UserError('The sandbox is not running.', { hint: 'Start it with `ckad-lab sandbox up`.', exitCode: 4 });
  },
});

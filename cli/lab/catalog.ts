// The task catalog as commands use it: invalid files are a readable error, unknown ids too. No cluster code
// here: the exam console loads it without the cluster client.
import { formatError, loadCatalog } from '../../tasks/load.ts';
import type { Task } from '../../tasks/schema.ts';
import { UserError } from '../../sandbox/errors.ts';

/** The catalog, or a UserError listing every invalid task file at file:line:col. */
export function catalog(): Task[] {
  const { tasks, errors } = loadCatalog();
  if (errors.length > 0) {
    throw new UserError(`The task catalog has errors:\n${errors.map((e) => '  ' + formatError(e)).join('\n')}`, { hint: 'Run `ckad-lab tasks lint` for details.' });
  }
  return tasks;
}

export function findTasks(all: readonly Task[], ids: readonly string[]): Task[] {
  const unknown = ids.filter((id) => !all.some((t) => t.id === id));
  if (unknown.length > 0) {
    throw new UserError(`Unknown task id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, { hint: 'List them with `ckad-lab tasks list`.', exitCode: 2 });
  }
  return ids.map((id) => all.find((t) => t.id === id) as Task);
}


// The task catalog as commands use it: invalid files are a readable error, unknown ids too. No cluster code
// here: the exam console loads it without the cluster client.
import { join } from 'node:path';
import { catalogKey, readCompiled, writeCompiled } from '../../tasks/compiled.ts';
import type { Task } from '../../tasks/schema.ts';
import { UserError } from '../../sandbox/errors.ts';
import { cacheDir } from '../../sandbox/paths.ts';

/**
 * The catalog, or a UserError listing every invalid task file at file:line:col. Read from its compiled JSON
 * when the files have not changed since they were last read (tasks/compiled.ts).
 */
export async function catalog(dir: string = join(import.meta.dirname, '..', '..', 'tasks', 'catalog')): Promise<Task[]> {
  const cacheRoot = join(cacheDir(), 'catalog');
  let key: string | undefined;
  try {
    key = catalogKey(dir);
  } catch {
    // An unreadable catalog directory: the loader below says so properly.
  }
  const compiled = key === undefined ? undefined : readCompiled(cacheRoot, key);
  if (compiled) return compiled;
  const { formatError, loadCatalog } = await import('../../tasks/load.ts');
  const { tasks, errors } = loadCatalog(dir);
  if (errors.length > 0) {
    throw new UserError(`The task catalog has errors:\n${errors.map((e) => '  ' + formatError(e)).join('\n')}`, { hint: 'Run `ckad-lab tasks lint` for details.' });
  }
  if (key !== undefined) writeCompiled(cacheRoot, key, tasks);
  return tasks;
}

export function findTasks(all: readonly Task[], ids: readonly string[]): Task[] {
  const unknown = ids.filter((id) => !all.some((t) => t.id === id));
  if (unknown.length > 0) {
    throw new UserError(`Unknown task id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, { hint: 'List them with `ckad-lab tasks list`.', exitCode: 2 });
  }
  return ids.map((id) => all.find((t) => t.id === id) as Task);
}


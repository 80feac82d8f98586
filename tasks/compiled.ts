// The validated catalog, kept as JSON in the cache directory. Reading 30 task files through the YAML parser
// and zod takes about 130 ms and leaves some 40 MB of heap behind in the exam console; the JSON of the same
// tasks loads in a few milliseconds without the YAML parser. The key is a hash of every catalog file and of the
// code that reads them (and of the lockfile, for the parser's versions), so any change reads the files again.
// Nothing here imports the YAML parser or zod.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from './schema.ts';

/** What decides how a catalog file is read, besides the file itself. */
const READER_SOURCES = ['schema.ts', 'load.ts'].map((name) => join(import.meta.dirname, name));
const LOCKFILE = join(import.meta.dirname, '..', 'package-lock.json');

export function catalogKey(dir: string): string {
  const hash = createHash('sha256');
  for (const file of [...READER_SOURCES, LOCKFILE]) hash.update(`${file}\0${existsSync(file) ? readFileSync(file) : 'absent'}\0`);
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${entry.name}\0`);
    if (entry.isFile()) hash.update(readFileSync(join(dir, entry.name))).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

/** The catalog compiled under `key`, or undefined when there is none (or it cannot be read). */
export function readCompiled(cacheRoot: string, key: string): Task[] | undefined {
  try {
    const tasks: unknown = JSON.parse(readFileSync(join(cacheRoot, `${key}.json`), 'utf8'));
    return Array.isArray(tasks) ? (tasks as Task[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `tasks` under `key`, replacing older compilations. Best effort: without it the files are read again. */
export function writeCompiled(cacheRoot: string, key: string, tasks: readonly Task[]): void {
  try {
    mkdirSync(cacheRoot, { recursive: true });
    const file = join(cacheRoot, `${key}.json`);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(tasks));
    renameSync(temp, file);
    for (const name of readdirSync(cacheRoot)) if (name !== `${key}.json` && name.endsWith('.json')) rmSync(join(cacheRoot, name), { force: true });
  } catch {
    // A read-only or full cache directory only costs the next start its 130 ms.
  }
}

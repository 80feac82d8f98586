// Process control for the sandbox's own processes: is a pid alive and ours, stop a set of them, and the one
// pid-file lock.
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runCommand } from './exec.ts';
import { poll } from './poll.ts';

/** The process exists (signal 0 reaches it; EPERM means it exists but is someone else's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Gone, or a zombie: it has exited and closed its files and ports, and only waits to be reaped. */
export function hasExited(pid: number): boolean {
  if (!isAlive(pid)) return true;
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** A pid file can outlive its process and the pid be reused: check the process is alive and really ours. */
export async function isOurs(pid: number | undefined, commandLineMentions: string): Promise<boolean> {
  if (pid === undefined || hasExited(pid)) return false;
  if (process.platform !== 'linux') return true;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(commandLineMentions);
}

/** The pid in a pid file, if it holds one. */
export async function readPidFile(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Every process (but this one) whose command line mentions `text`: pid files can be stale or missing. */
export async function processesMentioning(text: string): Promise<{ pid: number; args: string }[]> {
  const out = await runCommand('ps', ['-Ao', 'pid=,args=']);
  return out
    .split('\n')
    .filter((line) => line.includes(text))
    .map((line) => {
      const [, pid, args] = /^\s*(\d+)\s+(.*)$/.exec(line) ?? [];
      return { pid: Number(pid), args: args ?? '' };
    })
    .filter((p) => p.pid && p.pid !== process.pid);
}

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves with the pids still running 10 s after that (none, normally).
 * A zombie counts as stopped.
 */
export async function stopPids(pids: readonly number[], graceMs = 5000): Promise<number[]> {
  const exited = (timeoutMs: number) => poll(() => (pids.every(hasExited) ? true : undefined), { timeoutMs, intervalMs: 50 });
  for (const pid of pids) signal(pid, 'SIGTERM');
  if (await exited(graceMs)) return [];
  for (const pid of pids) signal(pid, 'SIGKILL');
  await exited(10_000);
  return pids.filter((pid) => !hasExited(pid));
}

/**
 * An exclusive lock: a file holding its owner's pid, taken over when that owner is gone. The file appears with
 * the pid already in it (written aside, then hard-linked into place, which fails if the lock exists), so a
 * reader never sees an empty lock and mistakes a live owner for a dead one.
 */
export async function acquirePidLock(path: string, onWait: (owner: number) => void, intervalMs = 1000): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true });
  const mine = `${path}.${process.pid}`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    let waited = false;
    for (;;) {
      try {
        await link(mine, path);
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readPidFile(path);
      if (owner === undefined || !isAlive(owner)) {
        // Remove that very file only: another waiter may have replaced it with its own lock meanwhile.
        await removeIfHeldBy(path, owner);
        continue;
      }
      if (!waited) onWait(owner);
      waited = true;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await rm(mine, { force: true });
  }
}

async function removeIfHeldBy(path: string, owner: number | undefined): Promise<void> {
  if ((await readPidFile(path)) === owner) await rm(path, { force: true });
}

// Process control for the sandbox's own processes: is a pid alive and ours, stop a set of them, and the one
// pid-file lock.
import { readFile } from 'node:fs/promises';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { runCommand } from './exec.ts';
import { poll } from '../graders/poll.ts';

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
  return pidIn(await readFile(path, 'utf8').catch(() => ''));
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

/** One try at the lock file at `path`: held (with its release), or refused (with the live owner's pid if known). */
export type PidLockTry = { ok: true; release: () => void } | { ok: false; owner: number | undefined };

export type PidLockOptions = {
  /** The pid this lock is taken for. Default: this process. */
  pid?: number;
  /** What the lock file holds; it must name `pid` as `ownerOf` reads it. Default: the pid and a newline. */
  content?: string;
  /** The owner pid named by a lock file's text; undefined when it names none (such a file counts as stale). */
  ownerOf?: (text: string) => number | undefined;
  /**
   * A lock naming `pid` itself is stale, not held: left by an earlier process that had the same pid (pids are
   * reused after a reboot and in containers). Right when one process never holds the lock twice. Default: held.
   */
  ownPidIsStale?: boolean;
};

/** A pid file's text: a positive integer, or nothing. */
export function pidIn(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

const TAKE_OVER_TRIES = 3;

/**
 * The one pid-file lock, one try, without waiting: an exclusive file naming its owner's pid, taken over when
 * that owner no longer runs. The file appears with its content already in it (written aside, then hard-linked
 * into place, which fails if the lock exists), so a reader never sees an empty lock and mistakes a live owner
 * for a dead one. Synchronous, so within one process no other code runs between reading a stale lock and
 * removing it.
 */
export function tryPidLock(path: string, options: PidLockOptions = {}): PidLockTry {
  const pid = options.pid ?? process.pid;
  const content = options.content ?? `${pid}\n`;
  const ownerOf = options.ownerOf ?? pidIn;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const aside = join(dirname(path), `.${basename(path)}.${pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(aside, content, { flag: 'wx', mode: 0o600 });
  try {
    let owner: number | undefined;
    for (let attempt = 0; attempt < TAKE_OVER_TRIES; attempt++) {
      try {
        linkSync(aside, path);
        return { ok: true, release: () => removeIfHolds(path, content) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = readTextOrUndefined(path);
      if (held === undefined) continue; // Released meanwhile.
      owner = ownerOf(held);
      const stale = owner === undefined || !isAlive(owner) || (options.ownPidIsStale === true && owner === pid);
      if (!stale) return { ok: false, owner };
      // Remove that very file only: another process may have replaced it with its own lock meanwhile.
      removeIfHolds(path, held);
    }
    // Taken over and retaken by others each time: busy, as far as this try can tell.
    return { ok: false, owner: owner !== undefined && isAlive(owner) ? owner : undefined };
  } finally {
    rmSync(aside, { force: true });
  }
}

function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function removeIfHolds(path: string, text: string): void {
  if (readTextOrUndefined(path) === text) rmSync(path, { force: true });
}

/**
 * The pid-file lock, waiting: tries `tryPidLock` every `intervalMs` until it is held; `onWait` hears once
 * which live process holds it.
 */
export async function acquirePidLock(path: string, onWait: (owner: number) => void, intervalMs = 1000): Promise<() => Promise<void>> {
  let told = false;
  const held = await poll(
    () => {
      const attempt = tryPidLock(path);
      if (attempt.ok) return attempt.release;
      if (!told && attempt.owner !== undefined) {
        told = true;
        onWait(attempt.owner);
      }
      return undefined;
    },
    { timeoutMs: Infinity, intervalMs },
  );
  return async () => held?.();
}

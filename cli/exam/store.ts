// Exam sessions and history on disk, under the state directory the caller resolves (sandbox/paths.ts
// stateDir()). Every write is atomic (temp file in the same directory, fsync, rename), so a killed process
// leaves either the old file or the new one, never half of one. A file that cannot be read is reported by
// name with what to do, and is never overwritten silently.
//
//   <state>/active.json             which session is in progress: {id}; created exclusively (one exam at a time)
//   <state>/console.lock            {pid, id, at}: the process that has the session open (one console at a time;
//                                   sandbox/process.ts tryPidLock)
//   <state>/sessions/<id>.json      ExamSession, rewritten on every change
//   <state>/history/<id>.json       HistoryRecord, one per finished attempt
import { UserError } from '../../sandbox/errors.ts';
import { tryPidLock } from '../../sandbox/process.ts';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ExamSession } from './session.ts';
import { HistoryRecord } from './history.ts';

export const sessionsDir = (stateDir: string): string => join(stateDir, 'sessions');
export const historyDir = (stateDir: string): string => join(stateDir, 'history');
export const activeFile = (stateDir: string): string => join(stateDir, 'active.json');
export const lockFile = (stateDir: string): string => join(stateDir, 'console.lock');
export const sessionFile = (stateDir: string, id: string): string => join(sessionsDir(stateDir), `${id}.json`);
export const historyFile = (stateDir: string, id: string): string => join(historyDir(stateDir), `${id}.json`);

/** A problem with a saved file, said for the user: which file, what is wrong, what to do. No stack trace. */
export class StoreError extends UserError {
  override name = 'StoreError';
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

/** The few fs calls an atomic write makes; tests replace them to fail halfway. */
export type AtomicIo = {
  openSync: typeof fs.openSync;
  writeSync: (fd: number, data: Buffer, offset: number, length: number) => number;
  fsyncSync: typeof fs.fsyncSync;
  closeSync: typeof fs.closeSync;
  renameSync: typeof fs.renameSync;
};
const nodeIo: AtomicIo = {
  openSync: fs.openSync,
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
};

const tempName = (file: string): string => join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

function writeTemp(file: string, text: string, io: AtomicIo): string {
  fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = tempName(file);
  const data = Buffer.from(text, 'utf8');
  const fd = io.openSync(temp, 'wx', 0o600);
  try {
    for (let off = 0; off < data.length; ) off += io.writeSync(fd, data, off, data.length - off);
    io.fsyncSync(fd);
  } catch (error) {
    io.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  io.closeSync(fd);
  return temp;
}

/** Makes the rename itself durable; not every platform can open a directory, and that is fine. */
function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Best effort: the data itself was fsynced before the rename.
  }
}

/** Replace `file` with `text` atomically: readers see the old content or the new, never a mix. */
export function writeFileAtomic(file: string, text: string, io: AtomicIo = nodeIo): void {
  const temp = writeTemp(file, text, io);
  try {
    io.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  syncDir(dirname(file));
}

/** Create `file` with `text` only if it does not exist, atomically (link of a complete temp file). */
export function createFileExclusive(file: string, text: string): boolean {
  const temp = writeTemp(file, text, nodeIo);
  try {
    fs.linkSync(temp, file);
    syncDir(dirname(file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Read and validate a JSON file; undefined when it does not exist. `what` names the file for the user and
 * `remedy` says what to do about a bad one.
 */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string, remedy: string): z.infer<S> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(file, `Cannot read ${what} ${file}: ${(error as Error).message}. ${remedy}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StoreError(file, `${what[0]?.toUpperCase()}${what.slice(1)} ${file} is not valid JSON (${(error as Error).message}); it has been left as it is. ${remedy}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = z.prettifyError(parsed.error).split('\n').slice(0, 6).join('; ');
    throw new StoreError(file, `${what[0]?.toUpperCase()}${what.slice(1)} ${file} does not have the expected shape (${detail}); it has been left as it is. ${remedy}`);
  }
  return parsed.data;
}

/** Move a bad file aside (never delete it) and say where it went. */
export function quarantine(file: string, now: number = Date.now()): string {
  const aside = `${file}.corrupt-${now}`;
  fs.renameSync(file, aside);
  return aside;
}

const ActivePointer = z.object({ id: z.string(), createdAt: z.number().int() });
type ActivePointer = z.infer<typeof ActivePointer>;
const ConsoleLock = z.object({ pid: z.number().int().positive(), id: z.string(), at: z.number().int() });
type ConsoleLock = z.infer<typeof ConsoleLock>;
/** The pid a console lock names; undefined when it is not one (a lock file holds nothing worth keeping). */
function consoleLockOwner(text: string): number | undefined {
  try {
    const held = ConsoleLock.safeParse(JSON.parse(text));
    return held.success ? held.data.pid : undefined;
  } catch {
    return undefined;
  }
}

const ABANDON = 'To set it aside and start over: ckad-lab exam --abandon (the file is moved aside, not deleted).';

export type Claim = { ok: true } | { ok: false; activeId: string };
export type LockResult = { ok: true; release: () => void } | { ok: false; pid: number };

/** A session whose latest state is only in memory: its save failed with `error` (said for the user). */
export type UnsavedSession = { session: ExamSession; file: string; error: string };

export class ExamStore {
  readonly stateDir: string;
  readonly io: AtomicIo;
  /** By session id: the latest state whose save failed, until a later save of that session succeeds. */
  readonly #unsaved = new Map<string, UnsavedSession>();

  constructor(stateDir: string, io: AtomicIo = nodeIo) {
    this.stateDir = stateDir;
    this.io = io;
  }

  /** Writes the session; when that fails it is remembered as unsaved (see `unsaved`) and a StoreError is thrown. */
  saveSession(session: ExamSession): void {
    const file = sessionFile(this.stateDir, session.id);
    try {
      writeFileAtomic(file, `${JSON.stringify(session, null, 2)}\n`, this.io);
    } catch (error) {
      const reason = (error as Error).message;
      this.#unsaved.set(session.id, { session, file, error: reason });
      throw new StoreError(file, `Cannot save the exam session to ${file}: ${reason}. Make ${dirname(file)} writable (permissions, free space).`);
    }
    this.#unsaved.delete(session.id);
  }

  /**
   * The session (by id, or any) whose latest state this store could not write: nobody may say it is saved.
   * Undefined once a later save of it has succeeded.
   */
  unsaved(id?: string): UnsavedSession | undefined {
    return id === undefined ? this.#unsaved.values().next().value : this.#unsaved.get(id);
  }

  /** Tries once more to write every unsaved session; returns those still unsaved. */
  retryUnsaved(): UnsavedSession[] {
    for (const { session } of [...this.#unsaved.values()]) {
      try {
        this.saveSession(session);
      } catch {
        // Still unsaved: kept, with the new error.
      }
    }
    return [...this.#unsaved.values()];
  }

  loadSession(id: string): ExamSession | undefined {
    const file = sessionFile(this.stateDir, id);
    const session = readJsonFile(file, ExamSession, 'the saved exam session', ABANDON);
    if (session && session.id !== id) throw new StoreError(file, `The saved exam session ${file} holds session ${session.id}, not ${id}; it has been left as it is. ${ABANDON}`);
    return session;
  }

  /** The session in progress, if any: its id, and the session once it has been saved. */
  active(): { id: string; createdAt: number; session: ExamSession | undefined } | undefined {
    const pointer: ActivePointer | undefined = readJsonFile(activeFile(this.stateDir), ActivePointer, 'the active exam pointer', ABANDON);
    if (!pointer) return undefined;
    return { ...pointer, session: this.loadSession(pointer.id) };
  }

  /** Make `session` the one in progress, unless another one already is; saves it first. */
  claim(session: ExamSession): Claim {
    this.saveSession(session);
    const pointer: ActivePointer = { id: session.id, createdAt: session.createdAt };
    if (createFileExclusive(activeFile(this.stateDir), `${JSON.stringify(pointer)}\n`)) return { ok: true };
    // Only this process ever knew the new session: remove it rather than leave an orphan.
    fs.rmSync(sessionFile(this.stateDir, session.id), { force: true });
    let activeId = '(unreadable)';
    try {
      activeId = this.active()?.id ?? activeId;
    } catch {
      // The pointer is bad; the caller says to abandon it either way.
    }
    return { ok: false, activeId };
  }

  /** The session is over (graded and in history, or abandoned): nothing is in progress any more. */
  release(id: string): void {
    const file = activeFile(this.stateDir);
    let pointer: ActivePointer | undefined;
    try {
      pointer = readJsonFile(file, ActivePointer, 'the active exam pointer', ABANDON);
    } catch {
      return;
    }
    if (pointer?.id === id) fs.rmSync(file, { force: true });
  }

  /**
   * Set aside whatever is in progress, readable or not: a readable session is marked abandoned and kept; bad
   * files are moved aside. Returns what was done, one line each, for the user.
   */
  abandon(now: number): string[] {
    const done: string[] = [];
    const file = activeFile(this.stateDir);
    let pointer: ActivePointer | undefined;
    try {
      pointer = readJsonFile(file, ActivePointer, 'the active exam pointer', ABANDON);
    } catch {
      done.push(`Moved the unreadable ${file} to ${quarantine(file, now)}.`);
      return done;
    }
    if (!pointer) return done;
    try {
      const session = this.loadSession(pointer.id);
      if (session && !session.ended) {
        this.saveSession({ ...session, ended: { at: now, reason: 'abandoned' } });
        done.push(`Abandoned exam ${session.id} (kept in ${sessionFile(this.stateDir, session.id)}).`);
      }
    } catch (error) {
      const bad = error instanceof StoreError ? error.file : sessionFile(this.stateDir, pointer.id);
      done.push(`Moved the unreadable ${bad} to ${quarantine(bad, now)}.`);
    }
    fs.rmSync(file, { force: true });
    return done;
  }

  /**
   * Hold the console lock for session `id`: one process has an exam open at a time. A lock left by a
   * process that no longer runs (killed, terminal closed) is taken over.
   */
  lock(id: string, pid: number = process.pid): LockResult {
    const mine: ConsoleLock = { pid, id, at: Date.now() };
    const attempt = tryPidLock(lockFile(this.stateDir), {
      pid,
      content: `${JSON.stringify(mine)}\n`,
      ownerOf: consoleLockOwner,
      // One process opens one exam at a time: a lock naming our pid was left by an earlier process with it.
      ownPidIsStale: true,
    });
    return attempt.ok ? attempt : { ok: false, pid: attempt.owner ?? 0 };
  }

  saveHistory(record: HistoryRecord): string {
    const file = historyFile(this.stateDir, record.id);
    writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, this.io);
    return file;
  }

  /** Every readable history record, oldest first; unreadable files are listed in `problems`, not fatal. */
  history(): { records: HistoryRecord[]; problems: string[] } {
    const dir = historyDir(this.stateDir);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [] };
      throw new StoreError(dir, `Cannot read the history directory ${dir}: ${(error as Error).message}.`);
    }
    const records: HistoryRecord[] = [];
    const problems: string[] = [];
    for (const name of names) {
      try {
        const record = readJsonFile(join(dir, name), HistoryRecord, 'the history record', 'It is skipped; move it out of the history directory to silence this.');
        if (record) records.push(record);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    records.sort((a, b) => a.endedAt - b.endedAt);
    return { records, problems };
  }

  /** One history record by id, or the newest when `id` is undefined. */
  historyRecord(id?: string): HistoryRecord | undefined {
    if (id !== undefined) {
      return readJsonFile(historyFile(this.stateDir, id), HistoryRecord, 'the history record', 'Move it out of the history directory.');
    }
    return this.history().records.at(-1);
  }
}

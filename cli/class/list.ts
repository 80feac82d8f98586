// `class list`: the classes on a cluster, each with its size, its window and whether anyone can still work in
// it. Read only: any context, no --allow-context needed.
import type { Kube } from '../../sandbox/kube.ts';
import { MANAGED_SELECTOR } from '../../sandbox/labels.ts';
import { readStoredRecord, type StoredRecord } from './cluster.ts';
import { CLASS_LABEL, candidateDeadline, classNamespace } from './record.ts';
import { timeLeft } from './watch.ts';

export type ClassListing = {
  name: string;
  /**
   * open: someone's credentials still work (the window, or an extension); ended: `class end` and no extension
   * since; time-up: every deadline has passed; deleting: `class delete` is under way; unreadable: no record
   * ckad-lab can read (an interrupted create, a hand edit).
   */
  state: 'open' | 'ended' | 'time-up' | 'deleting' | 'unreadable';
  candidates?: number;
  tasks?: string[];
  /** Epoch ms: the class's window. */
  startsAt?: number;
  endsAt?: number;
  /** Epoch ms: when `class end` ended it. */
  endedAt?: number;
  /** Epoch ms: the last deadline of anyone in it (an extension can outlast the window and an end). */
  openUntil?: number;
  /** Candidates whose extension is still running. */
  extended?: number;
  problem?: string;
  hint?: string;
};

/** Every class on the cluster: each class namespace carries its class label. */
export async function listClasses(kube: Kube, now: number = Date.now()): Promise<ClassListing[]> {
  const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: `${MANAGED_SELECTOR},${CLASS_LABEL}` });
  const names = [...new Set(namespaces.map((n) => n.metadata?.labels?.[CLASS_LABEL]).filter((n): n is string => Boolean(n)))].sort();
  const deleting = new Set(namespaces.filter((n) => n.metadata?.deletionTimestamp).map((n) => n.metadata?.name));
  return Promise.all(names.map(async (name) => (deleting.has(classNamespace(name)) ? { name, state: 'deleting' as const } : listing(name, await readStoredRecord(kube, name), now))));
}

export function listing(name: string, stored: StoredRecord, now: number): ClassListing {
  if (!stored.ok) return { name, state: 'unreadable', problem: stored.problem, hint: stored.hint };
  const { record } = stored;
  const openUntil = Math.max(...record.candidates.map((c) => candidateDeadline(record, c)));
  const extended = record.candidates.filter((c) => c.extendedUntil !== undefined && c.extendedUntil > now).length;
  const state = openUntil > now ? 'open' : record.endedAt !== undefined ? 'ended' : 'time-up';
  return {
    name,
    state,
    candidates: record.candidates.length,
    tasks: record.tasks,
    startsAt: record.startsAt,
    endsAt: record.endsAt,
    ...(record.endedAt !== undefined ? { endedAt: record.endedAt } : {}),
    openUntil,
    extended,
  };
}

const minute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
/** `2026-11-29 19:00 to 21:00`, with the end's date only when it is another day. */
const window = (from: number, to: number): string => {
  const [a, b] = [minute(from), minute(to)];
  return `${a} to ${a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b}`;
};

function stateText(c: ClassListing, now: number): string {
  switch (c.state) {
    case 'open': {
      const extended = `${c.extended} extended candidate${c.extended === 1 ? '' : 's'}`;
      const last = `${timeLeft(c.openUntil ?? now, now)} left`;
      if (c.endedAt === undefined && (c.endsAt ?? 0) > now) return `open, ${timeLeft(c.endsAt ?? now, now)} left${c.extended ? ` (${extended}: ${last})` : ''}`;
      return `${c.endedAt !== undefined ? 'ended' : 'time is up'}; ${extended} still working, ${last}`;
    }
    case 'ended':
      return `ended by class end at ${minute(c.endedAt ?? now)}`;
    case 'time-up':
      return `time is up: ckad-lab class grade ${c.name}`;
    case 'deleting':
      return 'being deleted';
    case 'unreadable':
      return `unreadable: ${c.problem}`;
  }
}

export function renderClassList(classes: readonly ClassListing[], context: string, now: number): string {
  if (classes.length === 0) return `No classes on context "${context}".\nCreate one: ckad-lab class create NAME --candidates a,b,c --exam 16\n`;
  const rows = classes.map((c) => [c.name, c.candidates === undefined ? '-' : String(c.candidates), c.tasks === undefined ? '-' : String(c.tasks.length), c.startsAt === undefined ? '-' : window(c.startsAt, c.endsAt ?? c.startsAt), stateText(c, now)]);
  const header = ['CLASS', 'CANDIDATES', 'TASKS', 'WINDOW (UTC)', 'STATE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ');
  const hints = classes.filter((c) => c.hint).map((c) => `${c.name}: ${c.hint}\n`);
  return [line(header), ...rows.map(line)].join('\n') + '\n' + (hints.length ? `\n${hints.join('')}` : '');
}

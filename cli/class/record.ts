// A class: the same tasks set up for every candidate of a bootcamp, each in namespaces under their own prefix,
// recorded on the cluster (not on the instructor's disk) so any machine with the instructor's context can
// watch, grade, extend, end or delete it. Pure: names, validation and the record's shape.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../sandbox/errors.ts';
import { KEYS } from '../../sandbox/labels.ts';

/** Labels on everything a class creates; `class delete` removes exactly what carries them. */
export const CLASS_LABEL = KEYS.class;
export const CANDIDATE_LABEL = KEYS.candidate;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The instructor-owned namespace holding the record and the candidates' ServiceAccounts. */
export const classNamespace = (name: string): string => `ckad-lab-class-${name}`;
/** A candidate's namespace prefix: class and candidate, so two classes on one cluster never share a name. */
export const candidatePrefix = (className: string, candidate: string): string => `${className}-${candidate}`;
/** The ConfigMap (in the class namespace) a candidate may read: her tasks, seed and deadline. */
export const candidateConfigMap = (candidate: string): string => `candidate-${candidate}`;
export const RECORD_CONFIGMAP = 'class';
/** Cluster-scoped objects are shared by all classes' names, so they carry the class name. */
export const clusterObjectName = (className: string, what: string): string => `ckad-lab-class-${className}-${what}`;

export const Candidate = z.object({
  name: z.string().regex(DNS_LABEL),
  prefix: z.string(),
  seed: z.number().int().nonnegative(),
  /** Epoch ms: this candidate's own end, when the instructor extended it past the class's. */
  extendedUntil: z.number().optional(),
});
export type Candidate = z.infer<typeof Candidate>;

export const ClassRecord = z.object({
  name: z.string(),
  tasks: z.array(z.string()).min(1),
  candidates: z.array(Candidate).min(1),
  /** Epoch ms; the window starts once every task is set up, so setup time is nobody's exam time. */
  startsAt: z.number(),
  endsAt: z.number(),
  minutes: z.number().positive(),
  /** Set by `class end`: every credential was revoked then. */
  endedAt: z.number().optional(),
  createdBy: z.string().optional(),
});
export type ClassRecord = z.infer<typeof ClassRecord>;

/** What a candidate may read about herself (her ConfigMap in the class namespace). */
export const CandidateRecord = z.object({
  class: z.string(),
  candidate: z.string(),
  prefix: z.string(),
  seed: z.number().int().nonnegative(),
  tasks: z.array(z.string()),
  startsAt: z.number(),
  /** Her deadline: the class's end or her extension. */
  endsAt: z.number(),
  endedAt: z.number().optional(),
});
export type CandidateRecord = z.infer<typeof CandidateRecord>;

/**
 * When this candidate's time is up: her extension if she has one, else the class's end (or `class end`, if
 * earlier). `class end` clears every extension; an extension given after it reopens the window for her alone.
 */
export function candidateDeadline(record: ClassRecord, candidate: Candidate): number {
  return candidate.extendedUntil ?? Math.min(record.endsAt, record.endedAt ?? Infinity);
}

export function candidateRecord(record: ClassRecord, candidate: Candidate): CandidateRecord {
  return {
    class: record.name,
    candidate: candidate.name,
    prefix: candidate.prefix,
    seed: candidate.seed,
    tasks: record.tasks,
    startsAt: record.startsAt,
    endsAt: candidateDeadline(record, candidate),
    ...(record.endedAt !== undefined ? { endedAt: record.endedAt } : {}),
  };
}

export function validateClassName(name: string | undefined, command: string): string {
  if (!name) throw new UserError(`ckad-lab class ${command}: which class? Give its name.`, { hint: `Usage: ckad-lab class ${command} NAME ...`, exitCode: 2 });
  // Names end up in namespace names (`ckad-lab-class-NAME`, `NAME-alice-web-lab`): keep room for the rest.
  if (!DNS_LABEL.test(name) || name.length > 20) {
    throw new UserError(`ckad-lab class ${command}: class name "${name}" must be a lowercase DNS label of at most 20 characters.`, { hint: 'Use lowercase letters, digits and "-", e.g. cohort-7.', exitCode: 2 });
  }
  return name;
}

/** Candidate names from `--candidates a,b` or a roster file (one per line or the first CSV column; `#` comments). */
export function parseCandidates(list: string | undefined, roster: string | undefined): string[] {
  if ((list === undefined) === (roster === undefined)) {
    throw new UserError('ckad-lab class create: give the candidates with either --candidates a,b,c or --roster FILE.', { exitCode: 2 });
  }
  let names: string[];
  let where: string;
  if (roster !== undefined) {
    let text: string;
    try {
      text = readFileSync(roster, 'utf8');
    } catch (error) {
      throw new UserError(`--roster ${roster}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { hint: 'Give a text file with one candidate name per line.', exitCode: 2 });
    }
    names = text
      .split(/\r?\n/)
      .map((l) => (l.split('#')[0] ?? '').split(',')[0]?.trim() ?? '')
      .filter((l) => l !== '');
    where = `--roster ${roster}`;
  } else {
    names = (list ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
    where = '--candidates';
  }
  const bad = names.filter((n) => !DNS_LABEL.test(n) || n.length > 20);
  if (bad.length > 0) {
    throw new UserError(`${where}: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not usable as a candidate name.`, {
      hint: 'Candidate names become namespace and ServiceAccount names: lowercase letters, digits and "-", at most 20 characters (e.g. alice, bob-2).',
      exitCode: 2,
    });
  }
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length > 0) throw new UserError(`${where}: ${[...new Set(dupes)].join(', ')} listed twice.`, { exitCode: 2 });
  if (names.length === 0) throw new UserError(`${where}: no candidates given.`, { exitCode: 2 });
  return names;
}

/** Seeds per candidate: one for all, or with `vary` a different one each (derived, so the class is reproducible). */
export function candidateSeeds(names: readonly string[], seed: number, vary: boolean): Map<string, number> {
  return new Map(names.map((n, i) => [n, vary ? ((seed + (i + 1) * 7919) % 2_147_483_647) || 1 : seed]));
}

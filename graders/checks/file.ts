// `file` checks: an answer the candidate wrote under the task's working directory (the exam's
// /opt/course/N/...). The grader only reads the file, through a FileReader the engine is given (tests use a
// fake). A working directory this machine cannot see (grading from another machine) makes the check "could
// not grade", never a zero; a missing file in a working directory that exists is a failure.
import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { formatValue, match, type Failure } from '../match.ts';
import { getPath } from '../path.ts';
import { CouldNotGrade, type KubeObject } from '../reader.ts';
import type { FileCheck, ListRef } from '../../tasks/schema.ts';

/** Reads answer files. Injected into grading (GradeContext.files) so the engine stays testable. */
export interface FileReader {
  /**
   * The file's text, or undefined when it does not exist. Throws CouldNotGrade when it may not be read here,
   * and an Error saying why for what is not an answer file (a directory, a huge file): a failure.
   */
  readText(path: string): Promise<string | undefined>;
  /** Whether `path` is a directory this machine can see. */
  isDirectory(path: string): Promise<boolean>;
}

/** Answer files are a few lines; anything bigger is not an answer. */
const MAX_BYTES = 1024 * 1024;

/** The machine's own files. */
export const localFiles: FileReader = {
  async readText(path) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw new Error(`${path} is a directory, not a file`);
      if (info.size > MAX_BYTES) throw new Error(`${path} is ${info.size} bytes: too large for an answer file (1 MiB at most)`);
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'EACCES' || code === 'EPERM') throw new CouldNotGrade(`cannot read ${path}: ${code} (the grader runs as a user that may not read it)`);
      throw error;
    }
  },
  async isDirectory(path) {
    try {
      return (await stat(path)).isDirectory();
    } catch {
      return false;
    }
  },
};

/**
 * The task's working directory, from a rendered file path: `{{workdir}}` renders to `<root>/<ns>`
 * (tasks/render.ts), so it is the path up to the last segment that is the task's main namespace.
 */
export function workdirOf(path: string, mainNamespace: string): string | undefined {
  const segments = path.split('/');
  for (let i = segments.length - 2; i >= 0; i--) if (segments[i] === mainNamespace) return segments.slice(0, i + 1).join('/');
  return undefined;
}

export type FileContext = {
  files: FileReader;
  mainNamespace: string;
  /** Lists live objects (kind resolved, namespace defaulted, terminating ones left out), for `equalsQuery`. */
  list: (ref: ListRef) => Promise<KubeObject[]>;
};

/** The content fields of a file check; at most one may be given (lint and the engine both refuse more). */
export const FILE_CONTENT_FIELDS = ['text', 'lines', 'orderedLines', 'regex', 'yaml', 'json', 'equalsQuery'] as const;

/** Authoring problems of a file check the schema cannot see. */
export function fileCheckProblems(file: FileCheck): string[] {
  const problems: string[] = [];
  const given = FILE_CONTENT_FIELDS.filter((f) => file[f] !== undefined);
  if (given.length > 1) problems.push(`file: give one of ${FILE_CONTENT_FIELDS.join(', ')}, not ${given.join(' and ')}`);
  if (file.regex !== undefined) {
    try {
      new RegExp(file.regex, 'm');
    } catch (error) {
      problems.push(`file.regex: ${(error as Error).message}`);
    }
  }
  return problems;
}

const nonBlankLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

export async function fileCheck(file: FileCheck, ctx: FileContext): Promise<Failure[]> {
  const [problem] = fileCheckProblems(file);
  if (problem) throw new Error(problem);
  const path = file.path;
  const workdir = workdirOf(path, ctx.mainNamespace);
  if (!workdir) throw new Error(`file path ${path} is not under the task's working directory: write it as {{workdir}}/...`);
  if (!(await ctx.files.isDirectory(workdir))) {
    throw new CouldNotGrade(`the working directory ${workdir} is not on this machine, so ${path} cannot be read: answer files are graded on the machine they were written on`);
  }
  let text: string | undefined;
  try {
    text = await ctx.files.readText(path);
  } catch (error) {
    // Not an answer the grader can read as text (a directory, a huge file): the candidate's to fix.
    if (error instanceof CouldNotGrade || !(error instanceof Error)) throw error;
    return [{ path, expected: 'a text file', actual: 'unreadable', message: error.message }];
  }
  if (text === undefined) {
    return [{ path, expected: 'the file', actual: '<missing>', message: `${path} does not exist: write the answer there` }];
  }

  if (file.text !== undefined) return compareText(path, file.text, text);
  if (file.lines !== undefined) return compareLines(path, file.lines, text, false);
  if (file.orderedLines !== undefined) return compareLines(path, file.orderedLines, text, true);
  if (file.regex !== undefined) {
    if (new RegExp(file.regex, 'm').test(text.trim())) return [];
    return [{ path, expected: `text matching /${file.regex}/`, actual: formatValue(text.trim()), message: `the text does not match /${file.regex}/` }];
  }
  if (file.yaml !== undefined || file.json !== undefined) {
    const parsed = file.yaml !== undefined ? parseYaml(text) : parseJson(text);
    if ('error' in parsed) return [{ path, expected: file.yaml !== undefined ? 'YAML' : 'JSON', actual: 'unreadable', message: `${path} is not valid ${file.yaml !== undefined ? 'YAML' : 'JSON'}: ${parsed.error}` }];
    return match(file.yaml ?? file.json, parsed.value).map((f) => ({ ...f, path: `${path}: ${f.path || '<root>'}` }));
  }
  if (file.equalsQuery !== undefined) return compareQuery(path, file.equalsQuery, text, ctx);
  return [];
}

function compareText(path: string, expected: string, text: string): Failure[] {
  const want = expected.trim();
  const got = text.replace(/\r\n/g, '\n').trim();
  if (want === got) return [];
  return [{ path, expected: formatValue(want), actual: formatValue(got), message: `expected ${formatValue(want)}, got ${formatValue(got)}` }];
}

function compareLines(path: string, expected: readonly string[], text: string, ordered: boolean): Failure[] {
  const want = expected.map((l) => l.trim()).filter((l) => l !== '');
  const got = nonBlankLines(text);
  if (ordered) {
    if (want.length === got.length && want.every((l, i) => l === got[i])) return [];
    const at = want.findIndex((l, i) => l !== got[i]);
    const line = at === -1 ? want.length : at;
    return [{
      path: `${path}:${line + 1}`,
      expected: formatValue(want),
      actual: formatValue(got),
      message: `expected ${formatValue(want[line])}, got ${formatValue(got[line])} on line ${line + 1} (the lines must be these, in this order)`,
    }];
  }
  const missing = [...want];
  const extra: string[] = [];
  for (const l of got) {
    const i = missing.indexOf(l);
    if (i >= 0) missing.splice(i, 1);
    else extra.push(l);
  }
  if (missing.length === 0 && extra.length === 0) return [];
  const parts = [missing.length ? `missing ${missing.map((l) => formatValue(l)).join(', ')}` : '', extra.length ? `not expected ${extra.map((l) => formatValue(l)).join(', ')}` : ''].filter(Boolean);
  return [{ path, expected: formatValue([...want].sort()), actual: formatValue([...got].sort()), message: `${parts.join('; ')} (lines in any order)` }];
}

type Parsed = { value: unknown } | { error: string };

function parseYaml(text: string): Parsed {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { value: null };
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) return { error: bad.errors[0]?.message.split('\n')[0] ?? 'invalid YAML' };
  const values = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  return { value: values.length === 1 ? values[0] : values };
}

function parseJson(text: string): Parsed {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

type Query = NonNullable<FileCheck['equalsQuery']>;

async function compareQuery(path: string, q: Query, text: string, ctx: FileContext): Promise<Failure[]> {
  const items = (await ctx.list(q.list)).filter((o) => q.where === undefined || match(q.where, o).length === 0);
  const values = items.map((o) => getPath(o, q.field)).filter((v) => v !== undefined && v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  const what = `${q.list.kind}s${q.list.selector ? ` -l ${q.list.selector}` : ''}`;
  if (q.as === 'count') return compareText(path, String(items.length), text).map((f) => ({ ...f, message: `the number of ${what}: ${f.message}` }));
  if (q.as === 'text') {
    if (values.length !== 1) {
      return [{ path, expected: `one of ${what}`, actual: `${values.length} found`, message: `the answer is the ${q.field} of one of ${what}, but the cluster now has ${values.length}` }];
    }
    return compareText(path, values[0] as string, text);
  }
  return compareLines(path, values, text, false);
}

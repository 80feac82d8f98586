// Reads task files. Every problem of a file is reported at once, each as `file:line:col path: message`, so an
// author fixes a file in one pass rather than one error per run. Positions are looked up only when there is
// an error: a clean load costs a YAML parse and a zod parse per file, nothing more.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { flattenIssues, issueMessage } from './issues.ts';
import { Task } from './schema.ts';

export type TaskFileError = {
  file: string;
  /** 1-based; 0 when the problem has no position (an unreadable file or directory). */
  line: number;
  col: number;
  /** Where in the task, e.g. `checks[2].points`; empty for the file as a whole. */
  path: string;
  message: string;
};

export type PathSegment = string | number;
export type Position = { line: number; col: number };
/** Position of the deepest node along `path` that exists in the file (a missing key maps to its parent). */
export type Locate = (path: readonly PathSegment[]) => Position;

export type LoadedTask = { file: string; task: Task; locate: Locate };
export type LoadResult = ({ ok: true } & LoadedTask) | { ok: false; file: string; errors: TaskFileError[] };

/** The catalog shipped with the tool, found from this module's location so it works from any cwd. */
export function catalogDir(): string {
  return join(import.meta.dirname, 'catalog');
}

export function loadTaskFile(file: string): LoadResult {
  const source = readTaskSource(file);
  if (typeof source !== 'string') return { ok: false, file, errors: [source] };
  return toResult(parseTaskSource(source, file));
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A task file's text, or the one error that says why there is none: unreadable, or not text at all (a NUL
 * byte or invalid UTF-8, which YAML never has) — one line, rather than a hundred YAML errors about bytes.
 */
function readTaskSource(file: string): string | TaskFileError {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return wholeFile(file, `cannot read the task file: ${errorText(err)}`);
  }
  const binary = (): TaskFileError => wholeFile(file, 'not a YAML text file (binary content): give the path of a task file');
  if (bytes.includes(0)) return binary();
  try {
    return UTF8.decode(bytes);
  } catch {
    return binary();
  }
}

/** Loads every `*.yaml` task of `dir`. A file with any error contributes errors and no task. */
export function loadCatalog(dir: string = catalogDir()): { tasks: Task[]; errors: TaskFileError[] } {
  const { loaded, errors } = loadCatalogFiles(dir);
  return { tasks: loaded.map((l) => l.task), errors };
}

/** {@link loadCatalog} keeping each task's file and position lookup (for lint). */
export function loadCatalogFiles(dir: string = catalogDir()): { loaded: LoadedTask[]; errors: TaskFileError[] } {
  const errors: TaskFileError[] = [];
  return loadFiles(catalogFiles(dir, errors), errors);
}

/**
 * Task files and catalog directories given by name (`tasks lint PATH...`), loaded together: an id used
 * twice across them is an error as it is within one catalog.
 */
export function loadTaskFiles(paths: readonly string[]): { loaded: LoadedTask[]; errors: TaskFileError[] } {
  const errors: TaskFileError[] = [];
  const files = paths.flatMap((p) => (isDirectory(p) ? catalogFiles(p, errors) : [p]));
  return loadFiles([...new Set(files.map((f) => resolve(f)))], errors);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // reading it as a file says what is wrong
  }
}

/** The task files of a catalog directory, sorted; problems with the directory or a file name go to `errors`. */
function catalogFiles(dir: string, errors: TaskFileError[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    errors.push(wholeFile(dir, `cannot read the task catalog: ${errorText(err)}`));
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (name.endsWith('.yml')) errors.push(wholeFile(file, `task files end in .yaml: rename it to ${name.slice(0, -4)}.yaml`));
    else if (name.endsWith('.yaml')) files.push(file);
  }
  return files;
}

function loadFiles(files: readonly string[], errors: TaskFileError[]): { loaded: LoadedTask[]; errors: TaskFileError[] } {
  const parsed: ParsedTaskFile[] = [];
  for (const file of files) {
    const source = readTaskSource(file);
    if (typeof source === 'string') parsed.push(parseTaskSource(source, file));
    else errors.push(source);
  }
  markDuplicateIds(parsed);
  const loaded: LoadedTask[] = [];
  for (const p of parsed) {
    if (p.errors.length > 0 || p.task === undefined) errors.push(...p.errors);
    else loaded.push({ file: p.file, task: p.task, locate: p.locate });
  }
  return { loaded, errors: sortErrors(errors) };
}

/** `tasks/catalog/x.yaml:12:5 checks[2].points: expected a positive number, got 0` */
export function formatError(e: TaskFileError, cwd: string = process.cwd()): string {
  const where = e.line > 0 ? `${displayPath(e.file, cwd)}:${e.line}:${e.col}` : displayPath(e.file, cwd);
  return e.path ? `${where} ${e.path}: ${e.message}` : `${where} ${e.message}`;
}

/** Relative to cwd when the file is under it; absolute otherwise (`../../../tmp/x` helps nobody). */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

export function sortErrors<T extends { file: string; line: number; col: number; path: string }>(errors: T[]): T[] {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return errors.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.path, b.path));
}

/** `checks[2].expect.metadata.labels["app.kubernetes.io/name"]` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'symbol') continue;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

export type ParsedTaskFile = {
  file: string;
  task: Task | undefined;
  errors: TaskFileError[];
  locate: Locate;
  /** The `id` as written, even when the task is invalid: for the duplicate-id and file-name checks. */
  rawId: string | undefined;
};

/**
 * Parses a YAML file's text and validates it with a zod schema, reporting every problem at file:line:col:
 * YAML syntax errors, duplicate keys and schema issues. Used for task files and config.yaml alike.
 */
export function parseYamlWithSchema<S extends z.ZodType>(
  source: string,
  file: string,
  schema: S,
): { data: z.infer<S> | undefined; raw: unknown; errors: TaskFileError[]; locate: Locate } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lineCounter);
  const errors: TaskFileError[] = [];
  const err = (pos: Position, path: string, message: string) => errors.push({ file, ...pos, path, message });

  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    if (e.code === 'DUPLICATE_KEY') {
      const path = pathOfKeyAt(doc, e.pos[0]);
      err(pos, path ? formatPath(path) : '', 'duplicate key: keep one of them');
    } else {
      err(pos, '', e.message);
    }
  }
  // After a syntax error the document structure is a guess; schema errors on it would mislead.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return { data: undefined, raw: undefined, errors, locate };

  const raw: unknown = doc.toJS();
  const result = schema.safeParse(raw, { reportInput: true, error: issueMessage });
  if (!result.success) {
    for (const issue of flattenIssues(result.error.issues, [])) err(locate(issue.path), formatPath(issue.path), issue.message);
  }
  return { data: errors.length === 0 && result.success ? result.data : undefined, raw, errors, locate };
}

/** Parses and validates one task file's text; `file` is used for messages and the file-name rule. */
export function parseTaskSource(source: string, file: string): ParsedTaskFile {
  const { data, raw, errors, locate } = parseYamlWithSchema(source, file, Task);
  const rawId = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
  if (rawId !== undefined && basename(file) !== `${rawId}.yaml`) {
    errors.push({ file, ...locate(['id']), path: 'id', message: `the file must be named after the id: rename it to ${rawId}.yaml (or change the id)` });
  }
  sortErrors(errors);
  return { file, task: errors.length === 0 ? data : undefined, errors, locate, rawId };
}

function toResult(p: ParsedTaskFile): LoadResult {
  if (p.errors.length > 0 || p.task === undefined) return { ok: false, file: p.file, errors: p.errors };
  return { ok: true, file: p.file, task: p.task, locate: p.locate };
}

/**
 * Two files with one id: the file named `<id>.yaml` keeps it (else the first by name); every other one gets
 * an error, even if it has other errors too, so the author sees the clash before fixing the rest.
 */
function markDuplicateIds(parsed: ParsedTaskFile[]): void {
  const byId = new Map<string, ParsedTaskFile[]>();
  for (const p of parsed) {
    if (p.rawId === undefined) continue;
    const list = byId.get(p.rawId);
    if (list) list.push(p);
    else byId.set(p.rawId, [p]);
  }
  for (const [id, files] of byId) {
    if (files.length < 2) continue;
    const owner = files.find((p) => basename(p.file) === `${id}.yaml`) ?? files[0];
    for (const p of files) {
      if (p === owner || owner === undefined) continue;
      p.errors.push({ file: p.file, ...p.locate(['id']), path: 'id', message: `duplicate id ${id}: already used by ${displayPath(owner.file)}` });
      sortErrors(p.errors);
    }
  }
}

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    let node: unknown = doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        // The last one: with a duplicate key, the later value is the one that was validated.
        const pair = node.items.findLast((p) => keyText(p.key) === String(seg));
        if (pair === undefined) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return lineCounter.linePos(offset);
  };
}

/** The path of the map key starting at `offset` (yaml reports duplicate keys by position only). */
function pathOfKeyAt(doc: Document, offset: number): PathSegment[] | undefined {
  const visit = (node: unknown, path: PathSegment[]): PathSegment[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (rangeStart(pair.key) === offset) return [...path, key];
        const found = visit(pair.value, [...path, key]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const found = visit(item, [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(doc.contents, []);
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}

function wholeFile(file: string, message: string): TaskFileError {
  return { file, line: 0, col: 0, path: '', message };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

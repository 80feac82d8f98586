import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogDir, formatError, loadCatalog, loadTaskFile, type TaskFileError } from '../../tasks/load.ts';
import { minimalTaskYaml } from './task-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'ckad-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh catalog directory holding `files`. */
function catalog(files: Record<string, string>): string {
  const dir = join(root, `catalog-${dirCount++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Errors as printed, relative to the catalog directory. */
const printed = (errors: TaskFileError[], dir: string) => errors.map((e) => formatError(e, dir));

function errorsOf(file: string): TaskFileError[] {
  const result = loadTaskFile(file);
  if (result.ok) throw new Error(`expected ${file} to fail`);
  return result.errors;
}

describe('loadTaskFile', () => {
  it('loads a valid task with schema defaults applied', () => {
    const dir = catalog({ 'run-pod.yaml': minimalTaskYaml('run-pod') });
    const result = loadTaskFile(join(dir, 'run-pod.yaml'));
    if (!result.ok) throw new Error(result.errors.map((e) => formatError(e)).join('\n'));
    expect(result.task.id).toBe('run-pod');
    expect(result.task.namespaces).toEqual({ ns: 'run-pod-lab' });
    expect(result.task.setup).toEqual([]);
    expect(result.task.params).toEqual({});
    expect(result.task.checks[0]?.eventually).toBe(false);
    // The position lookup points into the file: checks[0].points is on line 10, column 5.
    expect(result.locate(['checks', 0, 'points'])).toEqual({ line: 10, col: 5 });
  });

  it('reports every error of a file, each with its own line:col', () => {
    const text = minimalTaskYaml('three-errors')
      .replace('minutes: 4', 'minutes: 0') // line 4
      .replace('    points: 1\n', '    points: 1.5\n') // line 10
      .replace('    script: "true"\n', '    script: "true"\n    extra: 1\n'); // line 17
    const dir = catalog({ 'three-errors.yaml': text });
    expect(printed(errorsOf(join(dir, 'three-errors.yaml')), dir)).toEqual([
      'three-errors.yaml:4:1 minutes: expected a positive number, got 0',
      'three-errors.yaml:10:5 checks[0].points: expected an integer, got 1.5',
      'three-errors.yaml:17:5 wrongSolutions[0].extra: unknown key',
    ]);
  });

  it('places a missing key at its parent, and reads a check by the kind it evidently is', () => {
    const text = minimalTaskYaml('typo')
      .replace('    points: 1\n', '') // checks[0] loses points
      .replace('    object:', '    objet:'); // and its kind is misspelt
    const dir = catalog({ 'typo.yaml': text });
    expect(printed(errorsOf(join(dir, 'typo.yaml')), dir)).toEqual([
      // The check's mapping starts at line 9, column 5 (`name:` after `- `).
      'typo.yaml:9:5 checks[0].object: missing (required)',
      'typo.yaml:9:5 checks[0].points: missing (required)',
      'typo.yaml:10:5 checks[0].objet: unknown key',
    ]);
  });

  it('says "missing (required)" for every missing field, never "got undefined"', () => {
    const text = minimalTaskYaml('bare')
      .replace('competency: workload-resources\n', '') // an enum
      .replace('namespaces:\n', 'params:\n  image: { choices: [nginx] }\nnamespaces:\n'); // a union's object branch without `value`
    const dir = catalog({ 'bare.yaml': text });
    const lines = printed(errorsOf(join(dir, 'bare.yaml')), dir);
    expect(lines).toEqual([
      expect.stringMatching(/^bare\.yaml:1:1 competency: missing \(required\): one of container-images, /),
      'bare.yaml:5:3 params.image.value: missing (required)',
    ]);
    expect(lines.join('\n')).not.toContain('undefined');
  });

  it('reports a YAML syntax error at its position, without schema noise', () => {
    const text = minimalTaskYaml('broken').replace('  ns: broken-lab', '\tns: broken-lab'); // line 6
    const dir = catalog({ 'broken.yaml': text });
    const errors = errorsOf(join(dir, 'broken.yaml'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 6, col: 1, path: '' });
    expect(errors[0]?.message).toMatch(/tab/i);
  });

  it('reports duplicate keys with their path, together with schema errors', () => {
    const text = minimalTaskYaml('dup-key').replace('minutes: 4\n', 'minutes: 4\nminutes: 0\n');
    const dir = catalog({ 'dup-key.yaml': text });
    expect(printed(errorsOf(join(dir, 'dup-key.yaml')), dir)).toEqual([
      'dup-key.yaml:5:1 minutes: duplicate key: keep one of them',
      'dup-key.yaml:5:1 minutes: expected a positive number, got 0',
    ]);
  });

  it('requires the file to be named after the id', () => {
    const dir = catalog({ 'wrong-name.yaml': minimalTaskYaml('right-name') });
    expect(printed(errorsOf(join(dir, 'wrong-name.yaml')), dir)).toEqual([
      'wrong-name.yaml:1:1 id: the file must be named after the id: rename it to right-name.yaml (or change the id)',
    ]);
  });

  it('reports an empty file and an unreadable one as errors, not exceptions', () => {
    const dir = catalog({ 'empty.yaml': '' });
    expect(printed(errorsOf(join(dir, 'empty.yaml')), dir)).toEqual(['empty.yaml:1:1 expected object, got null']);
    const missing = errorsOf(join(dir, 'missing.yaml'));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ line: 0, path: '' });
    expect(formatError(missing[0] as TaskFileError, dir)).toMatch(/^missing\.yaml cannot read the task file: ENOENT/);
  });
});

describe('loadCatalog', () => {
  it('returns the valid tasks and the errors of all the others, sorted by file and line', () => {
    const dir = catalog({
      'b-task.yaml': minimalTaskYaml('b-task').replace('minutes: 4', 'minutes: 99'),
      'a-task.yaml': minimalTaskYaml('a-task'),
      'c-task.yaml': minimalTaskYaml('c-task').replace('competency: workload-resources', 'competency: workload-resource'),
      'notes.md': '# not a task',
      'd-task.yml': minimalTaskYaml('d-task'),
    });
    const { tasks, errors } = loadCatalog(dir);
    expect(tasks.map((t) => t.id)).toEqual(['a-task']);
    expect(printed(errors, dir)).toEqual([
      'b-task.yaml:4:1 minutes: must be at most 60, got 99',
      'c-task.yaml:3:1 competency: unknown competency "workload-resource": did you mean workload-resources?',
      'd-task.yml task files end in .yaml: rename it to d-task.yaml',
    ]);
  });

  it('reports a duplicate id on the file not named after it', () => {
    const dir = catalog({ 'aaa.yaml': minimalTaskYaml('zzz'), 'zzz.yaml': minimalTaskYaml('zzz') });
    const { tasks, errors } = loadCatalog(dir);
    expect(tasks).toHaveLength(1);
    expect(printed(errors, dir)).toEqual([
      'aaa.yaml:1:1 id: the file must be named after the id: rename it to zzz.yaml (or change the id)',
      expect.stringMatching(/^aaa\.yaml:1:1 id: duplicate id zzz: already used by .*zzz\.yaml$/),
    ]);
  });

  it('reports a missing catalog directory as an error', () => {
    const { tasks, errors } = loadCatalog(join(root, 'no-such-dir'));
    expect(tasks).toEqual([]);
    expect(errors[0]?.message).toMatch(/cannot read the task catalog/);
  });

  it('finds the shipped catalog from the module, not from the working directory', () => {
    expect(catalogDir()).toBe(resolve(import.meta.dirname, '../../tasks/catalog'));
  });
});

describe('formatError', () => {
  const e: TaskFileError = { file: '/repo/tasks/catalog/x.yaml', line: 12, col: 5, path: 'checks[2].points', message: 'expected a positive number, got 0' };

  it('prints file:line:col path: message, relative to the working directory', () => {
    expect(formatError(e, '/repo')).toBe('tasks/catalog/x.yaml:12:5 checks[2].points: expected a positive number, got 0');
  });

  it('keeps the path absolute outside the working directory', () => {
    expect(formatError(e, '/elsewhere')).toBe('/repo/tasks/catalog/x.yaml:12:5 checks[2].points: expected a positive number, got 0');
  });
});

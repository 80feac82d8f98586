// The checks every typed value goes through (cli/args.ts) and the one rule for output files
// (cli/report/export.ts writeOutputFile).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { domainOption, intOption, outputPath, parse, SEED_RANGE } from '../../cli/args.ts';
import { describeInProgress } from '../../cli/exam/flow.ts';
import { createSession } from '../../cli/exam/session.ts';
import { EXIT } from '../../cli/exit.ts';
import { writeOutputFile } from '../../cli/report/export.ts';
import { checkErrorText } from '../../cli/report/summary.ts';
import { UserError } from '../../sandbox/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'ckad-lab-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('parse', () => {
  it('refuses positional arguments a command does not take, and more than it takes', () => {
    expect(refusal(() => parse('sandbox up', ['extra'], {}, 'u')).message).toBe('ckad-lab sandbox up: unexpected argument "extra" (it takes none).');
    expect(refusal(() => parse('report', ['a', 'b', 'c'], {}, 'u', { positionals: 1 })).message).toBe('ckad-lab report: unexpected arguments "b" "c".');
    expect(parse('tasks lint', ['a', 'b'], {}, 'u', { positionals: Infinity }).positionals).toEqual(['a', 'b']);
    expect(refusal(() => parse('x', ['--nope'], {}, 'u')).exitCode).toBe(EXIT.refused);
  });
});

describe('intOption', () => {
  it('takes whole numbers in range only, never rounding a huge one to another number', () => {
    expect(intOption('exam', 'seed', '4294967295', SEED_RANGE)).toBe(4294967295);
    for (const bad of ['99999999999999999999999', '4294967296', '1e3', '-1', '1.5', '0x10', '']) {
      expect(refusal(() => intOption('exam', 'seed', bad, SEED_RANGE)).message, bad).toContain('--seed must be a whole number from 0 to 4294967295');
    }
    expect(intOption('exam', 'tasks', '3', 1)).toBe(3);
    expect(refusal(() => intOption('exam', 'tasks', '0', 1)).message).toContain('of at least 1');
    expect(refusal(() => intOption('grade', 'wait', '9007199254740993')).exitCode).toBe(EXIT.refused);
  });
});

describe('domainOption', () => {
  it("knows the curriculum's domains and none of Object's own keys", () => {
    expect(domainOption('drill', 'observability')).toBe('observability');
    for (const bad of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(refusal(() => domainOption('drill', bad)).message, bad).toContain('is not a CKAD domain');
  });
});

describe('output files: one rule for --junit, --html, --csv', () => {
  it('refuses up front what can never be written: a directory, a path through a file', () => {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'f'), '');
    expect(refusal(() => outputPath('grade', 'junit', join(dir, 'd'))).message).toContain('that is a directory');
    expect(refusal(() => outputPath('grade', 'junit', `${dir}/`)).message).toContain('names a directory');
    expect(refusal(() => outputPath('report', 'junit', join(dir, 'f', 'x.xml'))).message).toContain(`${join(dir, 'f')} is a file`);
    expect(outputPath('grade', 'junit', join(dir, 'new', 'deep', 'x.xml'))).toBe(join(dir, 'new', 'deep', 'x.xml'));
  });

  it('creates missing parent directories, and says where the file went', () => {
    const file = join(dir, 'reports', 'ci', 'junit.xml');
    expect(writeOutputFile('grade', 'junit', file, '<x/>')).toBe(`JUnit report written to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe('<x/>');
  });

  it('turns a write that fails into a UserError naming the flag and the file, never a raw fs error', () => {
    writeFileSync(join(dir, 'plain-file'), '');
    const error = refusal(() => writeOutputFile('report', 'csv', join(dir, 'plain-file', 'x.csv'), 'a,b'));
    expect(error.message).toMatch(/^ckad-lab report: cannot write the CSV to .*plain-file\/x\.csv \(--csv\): /);
    expect(error.exitCode).toBe(EXIT.error);
  });
});

describe('small words', () => {
  it('says "could not grade" once', () => {
    expect(checkErrorText('could not grade: Could not read Pod x: no answer within 10 s')).toBe('could not grade: Could not read Pod x: no answer within 10 s');
    expect(checkErrorText('grader error: boom')).toBe('could not grade: grader error: boom');
  });

  it('an exam being set up right now (two started at once) is said to be, not "interrupted"', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    const session = createSession({ id: 'abcdef1234', kind: 'exam', createdAt: now - 2_000, seed: 1, minutes: 120, taskIds: ['a'] });
    expect(describeInProgress(session, now)).toContain('being set up in another terminal');
    expect(describeInProgress(session, now + 3600_000)).toContain('interrupted while setting up');
  });
});

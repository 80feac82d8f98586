// `file` checks over a fake file system: exists, text, lines (any order and ordered), regex, YAML/JSON with the
// object matcher, a live query's answer; could-not-grade when the working directory is not on this machine.
import { describe, expect, it } from 'vitest';
import { checkIssues } from '../../graders/check-issues.ts';
import { gradeTask, type GradeContext } from '../../graders/engine.ts';
import { workdirOf, type FileReader } from '../../graders/checks/file.ts';
import { Check } from '../../tasks/schema.ts';
import { FakeReader, NS, fakeClock, makeTask } from './fake-reader.ts';
import { pod } from './fixtures.ts';

const WORKDIR = `/home/me/ckad-lab/${NS}`;

/** Files by path; directories are the workdir and its parents. */
class FakeFiles implements FileReader {
  files: Record<string, string>;
  dirs: Set<string>;
  reads: string[] = [];
  constructor(files: Record<string, string>, dirs: string[] = [WORKDIR]) {
    this.files = files;
    this.dirs = new Set(dirs);
  }
  async readText(path: string): Promise<string | undefined> {
    this.reads.push(path);
    return this.files[path];
  }
  async isDirectory(path: string): Promise<boolean> {
    return this.dirs.has(path);
  }
}

const grade = async (file: Record<string, unknown>, files: FakeFiles, reader = new FakeReader([])) => {
  const ctx: GradeContext = { reader, files, ...fakeClock() };
  const r = await gradeTask(makeTask([{ name: 'answer', points: 1, file: { path: `${WORKDIR}/answer.txt`, ...file } }]), ctx);
  return r.checks[0];
};
const answer = (text: string) => new FakeFiles({ [`${WORKDIR}/answer.txt`]: text });

describe('file checks', () => {
  it('exists: passes for any content, fails for a missing file in an existing workdir', async () => {
    expect(await grade({}, answer(''))).toMatchObject({ passed: true });
    expect(await grade({}, new FakeFiles({}))).toMatchObject({ passed: false, path: `${WORKDIR}/answer.txt`, expected: 'the file', actual: '<missing>' });
  });

  it('is "could not grade", not a zero, when the working directory is not on this machine', async () => {
    const r = await grade({ text: 'web-1' }, new FakeFiles({}, []));
    expect(r).toMatchObject({ passed: false, points: 0 });
    expect(r?.error).toMatch(/^could not grade: the working directory \/home\/me\/ckad-lab\/lab-web is not on this machine/);
  });

  it('text: trimmed equality, CRLF and surrounding blank lines ignored', async () => {
    expect(await grade({ text: 'web-1' }, answer('\n  web-1 \r\n\n'))).toMatchObject({ passed: true });
    expect(await grade({ text: 'web-1' }, answer('web-2\n'))).toMatchObject({ passed: false, expected: 'web-1', actual: 'web-2' });
    expect(await grade({ text: 'web-1' }, answer('web-1\nweb-2'))).toMatchObject({ passed: false });
  });

  it('lines: the non-blank lines in any order, each once', async () => {
    expect(await grade({ lines: ['a', 'b'] }, answer('b\n\n a\n'))).toMatchObject({ passed: true });
    const wrong = await grade({ lines: ['a', 'b'] }, answer('a\nc\n'));
    expect(wrong).toMatchObject({ passed: false });
    expect(wrong?.message).toContain('missing b; not expected c (lines in any order)');
    expect(await grade({ lines: ['a', 'b'] }, answer('a\nb\nb\n'))).toMatchObject({ passed: false });
  });

  it('orderedLines: the lines in this order, with the first difference named', async () => {
    expect(await grade({ orderedLines: ['ERROR one', 'ERROR two'] }, answer('ERROR one\nERROR two\n'))).toMatchObject({ passed: true });
    const swapped = await grade({ orderedLines: ['ERROR one', 'ERROR two'] }, answer('ERROR two\nERROR one\n'));
    expect(swapped).toMatchObject({ passed: false, path: `${WORKDIR}/answer.txt:1` });
    expect(swapped?.message).toBe(`${WORKDIR}/answer.txt:1: expected ERROR one, got ERROR two on line 1 (the lines must be these, in this order)`);
    expect(await grade({ orderedLines: ['a', 'b'] }, answer('a\n'))).toMatchObject({ passed: false, path: `${WORKDIR}/answer.txt:2` });
  });

  it('regex: matched against the trimmed text, ^ and $ per line', async () => {
    expect(await grade({ regex: '^kubectl (run|create) ' }, answer('kubectl run web --image=nginx\n'))).toMatchObject({ passed: true });
    expect(await grade({ regex: '^kubectl (run|create) ' }, answer('k run web\n'))).toMatchObject({ passed: false, expected: 'text matching /^kubectl (run|create) /' });
  });

  it('yaml: parsed and matched with the object matcher and its operators', async () => {
    const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: legacy-web\nspec:\n  replicas: 2\n';
    const expectYaml = { apiVersion: { $oneOf: ['apps/v1'] }, spec: { replicas: 2 } };
    expect(await grade({ yaml: expectYaml }, answer(manifest))).toMatchObject({ passed: true });
    const old = await grade({ yaml: expectYaml }, answer(manifest.replace('apps/v1', 'extensions/v1beta1')));
    expect(old).toMatchObject({ passed: false, actual: 'extensions/v1beta1' });
    expect(old?.path).toBe(`${WORKDIR}/answer.txt: apiVersion`);
    expect(await grade({ yaml: expectYaml }, answer('a: [unclosed'))).toMatchObject({ passed: false, expected: 'YAML', actual: 'unreadable' });
  });

  it('json: parsed and matched', async () => {
    expect(await grade({ json: { items: { $len: 2 } } }, answer('{"items": [1, 2]}'))).toMatchObject({ passed: true });
    expect(await grade({ json: { items: { $len: 2 } } }, answer('not json'))).toMatchObject({ passed: false, expected: 'JSON', actual: 'unreadable' });
  });

  it('equalsQuery: the file holds what a live query answers, so seeded values never go stale', async () => {
    const reader = new FakeReader([
      pod('api-1', { app: 'api' }),
      pod('api-2', { app: 'api' }),
      pod('db-1', { app: 'db' }),
    ]);
    const query = { list: { kind: 'Pod', selector: 'app=api' } };
    expect(await grade({ equalsQuery: query }, answer('api-2\napi-1\n'), reader)).toMatchObject({ passed: true });
    expect(await grade({ equalsQuery: query }, answer('api-1\n'), reader)).toMatchObject({ passed: false });
    expect(await grade({ equalsQuery: { ...query, as: 'count' } }, answer('2\n'), reader)).toMatchObject({ passed: true });
    const count = await grade({ equalsQuery: { ...query, as: 'count' } }, answer('3'), reader);
    expect(count?.message).toContain('the number of Pods -l app=api: expected 2, got 3');
    expect(await grade({ equalsQuery: { list: { kind: 'Pod', selector: 'app=db' }, as: 'text' } }, answer('db-1'), reader)).toMatchObject({ passed: true });
    const where = { list: { kind: 'Pod' }, where: { metadata: { labels: { app: 'db' } } } };
    expect(await grade({ equalsQuery: where }, answer('db-1'), reader)).toMatchObject({ passed: true });
    expect(await grade({ equalsQuery: { list: { kind: 'Pod' }, as: 'text' } }, answer('db-1'), reader)).toMatchObject({ passed: false, actual: '3 found' });
  });

  it('only reads: a file check reads the one file and nothing else', async () => {
    const files = answer('x');
    await grade({ text: 'x' }, files);
    expect(files.reads).toEqual([`${WORKDIR}/answer.txt`]);
  });

  it('lint: one content field at most, a valid regex and expectations', () => {
    const issues = (file: Record<string, unknown>) => checkIssues(Check.parse({ name: 'f', points: 1, file: { path: '{{workdir}}/a', ...file } })).map((i) => i.message);
    expect(issues({ text: 'a', lines: ['a'] })).toEqual(['file: give one of text, lines, orderedLines, regex, yaml, json, equalsQuery, not text and lines']);
    expect(issues({ regex: '(' })[0]).toMatch(/^file.regex: Invalid regular expression/);
    expect(issues({ yaml: { spec: { $gte: 'x' } } })[0]).toMatch(/^file\.yaml\./);
    expect(issues({ equalsQuery: { list: { kind: 'pods' } } })[0]).toContain('did you mean "Pod"');
    expect(issues({ text: 'a' })).toEqual([]);
  });

  it('finds the working directory from the rendered path and the main namespace', () => {
    expect(workdirOf(`/home/me/ckad-lab/${NS}/sub/a.txt`, NS)).toBe(`/home/me/ckad-lab/${NS}`);
    expect(workdirOf('/tmp/elsewhere/a.txt', NS)).toBeUndefined();
  });
});

describe('file checks on this machine\'s files', () => {
  it('a directory where the answer belongs is a failure; a file it may not read is could-not-grade', async () => {
    const { mkdtemp, mkdir, writeFile, chmod, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = await mkdtemp(join(tmpdir(), 'ckad-lab-files-'));
    try {
      const workdir = join(root, NS);
      await mkdir(join(workdir, 'answer.txt'), { recursive: true });
      const task = (name: string) => makeTask([{ name: 'a', points: 1, file: { path: join(workdir, name), text: 'x' } }]);
      const dir = await gradeTask(task('answer.txt'), { reader: new FakeReader([]), ...fakeClock() });
      expect(dir.checks[0]).toMatchObject({ passed: false, actual: 'unreadable' });
      expect(dir.checks[0]?.message).toContain('is a directory, not a file');
      await writeFile(join(workdir, 'ok.txt'), ' x\n');
      expect((await gradeTask(task('ok.txt'), { reader: new FakeReader([]), ...fakeClock() })).checks[0]).toMatchObject({ passed: true });
      if (process.getuid?.() !== 0) {
        await chmod(join(workdir, 'ok.txt'), 0o000);
        expect((await gradeTask(task('ok.txt'), { reader: new FakeReader([]), ...fakeClock() })).checks[0]?.error).toMatch(/^could not grade: cannot read .* EACCES/);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

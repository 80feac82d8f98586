import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { captureOutput } from '../../cli/exam/output.ts';
import { plainDrill, plainExam, plainHistory, plainResume, runReport } from '../../cli/exam/plain.ts';
import { beginExam, EXIT } from '../../cli/exam/flow.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { runExam, runResume } from '../../cli/ui/index.ts';
import { UserError } from '../../sandbox/errors.ts';
import { fakeCatalog, fakeServices, runningSession } from './exam-fakes.ts';

const catalog = fakeCatalog(4);
let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'ckad-lab-plain-'));
});

describe('without a TTY', () => {
  it('exam prints the draw for the seed and the headless commands', async () => {
    const out = captureOutput();
    const code = await plainExam(fakeServices(catalog), { stateDir, interactive: false, seed: 11, tasks: 5, output: out });
    expect(code).toBe(EXIT.ok);
    expect(out.stdout()).toContain('The exam seed 11 draws these 5 tasks');
    expect(out.stdout()).toContain('ckad-lab setup TASK_ID');
    expect(out.stdout()).toContain('ckad-lab grade TASK_ID');
    const again = captureOutput();
    await plainExam(fakeServices(catalog), { stateDir, interactive: false, seed: 11, tasks: 5, output: again });
    expect(again.stdout()).toBe(out.stdout());
  });

  it('drill names the task and the headless commands; an unknown id says so', async () => {
    const out = captureOutput();
    expect(await plainDrill(fakeServices(catalog), { stateDir, interactive: false, taskId: 'deployment-2', output: out })).toBe(EXIT.ok);
    expect(out.stdout()).toContain('ckad-lab setup deployment-2');
    const bad = captureOutput();
    expect(await plainDrill(fakeServices(catalog), { stateDir, interactive: false, taskId: 'deploymnt-2', output: bad })).toBe(EXIT.refused);
    expect(bad.stderr()).toContain('No task "deploymnt-2"');
  });

  it('resume of an exam whose time is up grades it, saves history and exports JUnit', async () => {
    const store = new ExamStore(stateDir);
    const session = runningSession(catalog, ['deployment-1', 'observability-1'], Date.now() - 5 * 3600_000, 120);
    store.claim(session);
    const out = captureOutput();
    const junit = join(stateDir, 'out', 'report.xml');
    expect(await plainResume(fakeServices(catalog), { stateDir, interactive: false, junit, output: out })).toBe(EXIT.ok);
    expect(out.stdout()).toContain('Score 40% (4/10) · FAIL');
    expect(out.stdout()).toContain('Ended by the clock');
    expect(readFileSync(junit, 'utf8')).toContain('<testsuites');
    expect(store.active()).toBeUndefined();
    const history = captureOutput();
    await plainHistory({ stateDir, interactive: false, output: history });
    expect(history.stdout()).toContain(`exam ${session.id}`);
    expect(history.stdout()).toContain('Weakest domains');
    const json = captureOutput();
    expect(await runReport({ stateDir, interactive: false, json: true, output: json })).toBe(EXIT.ok);
    expect(JSON.parse(json.stdout())).toMatchObject({ id: session.id, passed: false, reason: 'timeout' });
  });

  it('resume of a running exam only describes it', async () => {
    const store = new ExamStore(stateDir);
    store.claim(runningSession(catalog, ['deployment-1'], Date.now(), 120));
    const out = captureOutput();
    expect(await plainResume(fakeServices(catalog), { stateDir, interactive: false, output: out })).toBe(EXIT.ok);
    expect(out.stdout()).toMatch(/In progress: exam abcdef1234 · started \d\d:\d\d · (2:00:00|1:59:\d\d) left · task 1 of 1/);
    expect(out.stdout()).toContain('Run ckad-lab resume in a terminal');
  });
});

describe('one exam at a time', () => {
  it('a second exam refuses and says resume or --abandon; --abandon starts over', async () => {
    const store = new ExamStore(stateDir);
    const first = await beginExam(fakeServices(catalog), store, { seed: 1 });
    expect(first.ok).toBe(true);
    const out = captureOutput();
    expect(await runExam(fakeServices(catalog), { stateDir, interactive: true, output: out })).toBe(EXIT.refused);
    expect(out.stderr()).toMatch(/already in progress.*ckad-lab resume.*ckad-lab exam --abandon/);
    const again = await beginExam(fakeServices(catalog), store, { seed: 2, abandon: true });
    expect(again.ok).toBe(true);
    expect(again.ok && again.notes[0]).toMatch(/Abandoned exam/);
    expect(again.ok && again.session.prefix).not.toBe(first.ok && first.session.prefix);
  });

  it('a corrupt session is reported by file name, without a stack trace', async () => {
    const store = new ExamStore(stateDir);
    const begun = await beginExam(fakeServices(catalog), store, { seed: 1 });
    if (!begun.ok) throw new Error(begun.message);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(stateDir, 'sessions', `${begun.session.id}.json`), '{');
    const out = captureOutput();
    expect(await runResume(fakeServices(catalog), { stateDir, interactive: true, output: out })).toBe(EXIT.error);
    expect(out.stderr()).toContain(join(stateDir, 'sessions', `${begun.session.id}.json`));
    expect(out.stderr()).not.toMatch(/\n\s+at /);
  });
});

describe('exam --abandon without a terminal', () => {
  it('abandons the stored exam and says so, instead of printing a new draw', async () => {
    const store = new ExamStore(stateDir);
    const begun = await beginExam(fakeServices(catalog), store, { seed: 1 });
    if (!begun.ok) throw new Error(begun.message);
    const out = captureOutput();
    expect(await plainExam(fakeServices(catalog), { stateDir, interactive: false, abandon: true, output: out })).toBe(EXIT.ok);
    expect(out.stderr()).toContain(`Abandoned exam ${begun.session.id}`);
    expect(out.stdout()).not.toContain('draws these');
    expect(store.active()).toBeUndefined();
    const nothing = captureOutput();
    await plainExam(fakeServices(catalog), { stateDir, interactive: false, abandon: true, output: nothing });
    expect(nothing.stderr()).toContain('nothing to abandon');
  });
});

describe('one exit path', () => {
  it('the console entry points let errors travel on to cli/bin.ts, keeping their kind, hint and exit code', async () => {
    const refused = new UserError('no catalog here', { hint: 'do this instead', exitCode: EXIT.refused });
    const services = { ...fakeServices(catalog), tasks: () => Promise.reject(refused) };
    await expect(runExam(services, { stateDir, interactive: true, output: captureOutput() })).rejects.toBe(refused);
    const bug = new TypeError('x is not a function');
    await expect(runExam({ ...fakeServices(catalog), tasks: () => Promise.reject(bug) }, { stateDir, interactive: true, output: captureOutput() })).rejects.toBe(bug);
  });
});

// The console and its lab worker (issue 12 item 17): a typed IPC channel, errors that keep their class, and
// no crash from whatever else the worker writes or sends.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromWire, isReply, isRequest, toWire } from '../../cli/lab/channel.ts';
import { remoteLabServices } from '../../cli/lab/remote.ts';
import { StoreError } from '../../cli/exam/store.ts';
import type { Progress } from '../../cli/exam/services.ts';
import { CouldNotGrade } from '../../graders/reader.ts';
import { UserError } from '../../sandbox/errors.ts';
import { fakeCatalog, prepare } from './exam-fakes.ts';

const fixture = join(import.meta.dirname, 'lab-worker-fixture.ts');
const task = prepare(fakeCatalog(1)[0]!, { id: 'deployment-1', seed: 1, prefix: 'xabcde' });

describe('errors across the boundary', () => {
  it('are rebuilt as their own class, with their fields and cause', () => {
    const cause = new CouldNotGrade('ECONNREFUSED');
    const user = fromWire(structuredClone(toWire(new UserError('No sandbox.', { hint: 'Run ckad-lab sandbox up.', exitCode: 4, cause }))));
    expect(user).toBeInstanceOf(UserError);
    expect(user).toMatchObject({ name: 'UserError', message: 'No sandbox.', hint: 'Run ckad-lab sandbox up.', exitCode: 4 });
    expect(user.cause).toBeInstanceOf(CouldNotGrade);
    const grade = fromWire(structuredClone(toWire(new CouldNotGrade('403 forbidden'))));
    expect(grade).toBeInstanceOf(CouldNotGrade);
    expect(grade.message).toBe('403 forbidden');
    const store = fromWire(structuredClone(toWire(new StoreError('/s/sessions/a.json', 'Cannot read it.'))));
    expect(store).toBeInstanceOf(StoreError);
    expect((store as StoreError).file).toBe('/s/sessions/a.json');
    // A class the console does not load (it would pull in the cluster client) keeps its name and fields.
    class ApiError extends Error {
      override name = 'ApiError';
      readonly code = 409;
    }
    const api = fromWire(structuredClone(toWire(new ApiError('conflict'))));
    expect(api).toMatchObject({ name: 'ApiError', message: 'conflict', code: 409 });
    expect(fromWire(toWire('a thrown string'))).toMatchObject({ name: 'Error', message: 'a thrown string' });
  });

  it('only messages of the channel are taken', () => {
    expect(isRequest({ kind: 'request', id: 1, method: 'grade', args: [[]] })).toBe(true);
    expect(isRequest({ kind: 'request', id: 1, method: 'constructor', args: [] })).toBe(false);
    expect(isRequest({ id: 1, method: 'grade', args: [] })).toBe(false);
    expect(isReply({ kind: 'result', id: 2, result: null })).toBe(true);
    expect(isReply({ id: 1, result: 'x' })).toBe(false);
    expect(isReply({ kind: 'progress', id: 1, progress: 'half' })).toBe(false);
    expect(isReply('{"id":1}')).toBe(false);
  });
});

describe('the forked worker', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'ckad-lab-channel-'));

  it('answers over IPC despite stray output and foreign messages; progress arrives; errors keep their kind', async () => {
    const lab = remoteLabServices({}, stateDir, { workerModule: fixture });
    expect(await lab.sandboxStatus()).toEqual({ running: true, detail: 'fixture' });
    const progress: Progress[] = [];
    await lab.ensureSandbox((p) => progress.push(p));
    expect(progress.map((p) => p.label)).toEqual(['starting etcd', 'starting the API server']);
    const graded = await lab.grade([task]).catch((e: unknown) => e);
    expect(graded).toBeInstanceOf(CouldNotGrade);
    expect((graded as Error).message).toContain('ECONNREFUSED');
    const reset = await lab.resetTask(task).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(UserError);
    expect(reset).toMatchObject({ message: 'The sandbox is not running.', hint: 'Start it with `ckad-lab sandbox up`.', exitCode: 4 });
  });

  it('a worker that dies rejects what was asked, saying so', async () => {
    const lab = remoteLabServices({}, stateDir, { workerModule: fixture });
    await expect(lab.setupTasks([{ id: 'crash', seed: 1, prefix: 'xabcde' }], () => {})).rejects.toThrow(/The lab worker stopped \(exit 7\)/);
    await expect(lab.sandboxStatus()).rejects.toThrow(/lab worker stopped/);
  });

  describe('the real worker', () => {
    const saved = process.env.CKAD_LAB_STATE_DIR;
    afterEach(() => {
      if (saved === undefined) delete process.env.CKAD_LAB_STATE_DIR;
      else process.env.CKAD_LAB_STATE_DIR = saved;
    });

    it("a missing sandbox reaches the console as the worker's UserError, hint and all", async () => {
      process.env.CKAD_LAB_STATE_DIR = stateDir;
      const lab = remoteLabServices({}, stateDir);
      expect(await lab.sandboxStatus()).toMatchObject({ running: false });
      const error = await lab.grade([task]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({ message: 'The sandbox has not been created yet.', hint: expect.stringContaining('ckad-lab sandbox up') });
    });
  });
});

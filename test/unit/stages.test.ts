// The pod lifecycle the sandbox's stages promise, played offline by kwok's own stage engine (test/stagesim, a
// small Go program built once into the cache): selectors, Go templates and status patches exactly as the kwok
// controller evaluates them, step by step, without a cluster or its timing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildStages, stagesYaml } from '../../sandbox/stages.ts';
import { cacheDir } from '../../sandbox/paths.ts';
import { VERSIONS } from '../../sandbox/versions.ts';

const exec = promisify(execFile);
const SIM_DIR = join(import.meta.dirname, '..', 'stagesim');

type Status = { name: string; ready: boolean; started: boolean; restartCount: number; state: Record<string, Record<string, unknown>>; lastState?: Record<string, unknown> };
type PodStatus = { phase?: string; conditions?: { type: string; status: string }[]; initContainerStatuses?: Status[]; containerStatuses?: Status[] };
type Step = { matches: string[]; pod?: { status?: PodStatus } };

let sim: string;
/** Every stage some test has seen match, for the coverage test at the end. */
const visited = new Set<string>();
let stagesFile: string;

beforeAll(async () => {
  const sources = ['main.go', 'go.mod', 'go.sum'].map((f) => readFileSync(join(SIM_DIR, f), 'utf8')).join('\0');
  const dir = join(cacheDir(), 'stagesim', createHash('sha256').update(sources).digest('hex').slice(0, 16));
  sim = join(dir, 'stagesim');
  if (!existsSync(sim)) {
    await mkdir(dir, { recursive: true });
    // kwok's modules are in the Go module cache once the sandbox has been built; the first build of this takes
    // a minute or two (seconds afterwards), then the binary is kept.
    // -mod=readonly: go.mod and go.sum are complete, and a test never rewrites files in the checkout.
    await exec('go', ['build', '-o', `${sim}.tmp`, '.'], { cwd: SIM_DIR, env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' }, maxBuffer: 10 * 1024 * 1024 }).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
      if (error.code === 'ENOENT') throw new Error('These tests build test/stagesim with Go, as `ckad-lab sandbox up` builds the sandbox: put `go` on PATH.');
      throw new Error(`go build of test/stagesim failed: ${error.stderr ?? error.message}`);
    });
    await rename(`${sim}.tmp`, sim);
  }
  stagesFile = join(await mkdtemp(join(tmpdir(), 'ckad-lab-stages-')), 'stages.yaml');
  await writeFile(stagesFile, stagesYaml(['nginx:1.27', 'busybox:1.36']));
}, 900_000);

/** Plays the stages on `pod` for up to `steps` steps. */
async function play(pod: Record<string, unknown>, steps = 12): Promise<Step[]> {
  const file = join(await mkdtemp(join(tmpdir(), 'ckad-lab-pod-')), 'pod.json');
  await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u' }, status: { phase: 'Pending' }, ...pod }));
  const { stdout } = await exec(sim, [stagesFile, file, String(steps)]);
  const result = JSON.parse(stdout) as Step[];
  for (const step of result) for (const name of step.matches) visited.add(name);
  return result;
}

const spec = (s: Record<string, unknown>) => ({ spec: { nodeName: 'node01', restartPolicy: 'Always', ...s } });
const sidecar = (command: string[] = ['sleep', 'infinity'], image = 'busybox:1.36') => ({ name: 'side', image, restartPolicy: 'Always', command });
const condition = (s: PodStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type)?.status;
const status = (s: PodStatus | undefined, name: string) => [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])].find((c) => c.name === name);
const stageNames = (steps: Step[]) => steps.filter((s) => s.pod).map((s) => s.matches[0]);
const after = (steps: Step[], stage: string) => steps.find((s) => s.matches[0] === stage && s.pod)?.pod?.status;

describe('pod lifecycle (kwok stage engine)', () => {
  // (A pod whose app container and sidecar both crash matches pod-crash and pod-sidecar-crash at once: kwok takes
  // either, and both restart counts rise.)
  test('every state matches at most one stage, so kwok never picks one at random', async () => {
    const pods = [
      spec({ containers: [{ name: 'web', image: 'nginx:1.27' }] }),
      spec({ containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'bad', image: 'busybox:1.36', command: ['sh', '-c', 'exit 1'] }] }),
      spec({ initContainers: [sidecar(['false'])], containers: [{ name: 'web', image: 'nginx:1.27' }] }),
      spec({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox:1.36' }, sidecar()], containers: [{ name: 'job', image: 'busybox:1.36' }] }),
      spec({ initContainers: [sidecar(undefined, 'busybox:9.9')], containers: [{ name: 'web', image: 'nginx:1.27' }] }),
    ];
    for (const pod of pods) for (const step of await play(pod, 10)) expect(step.matches.length, JSON.stringify(step.matches)).toBeLessThanOrEqual(1);
  });

  test('a plain pod: created, then Running and Ready; nothing more happens', async () => {
    const steps = await play(spec({ containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-start']);
    const running = after(steps, 'pod-start');
    expect(running?.phase).toBe('Running');
    expect(condition(running, 'Ready')).toBe('True');
    expect(status(running, 'web')).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: {} } });
  });

  test('init containers complete first; a native sidecar starts with them and stays Running and Ready beside the app', async () => {
    const steps = await play(spec({ initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'] }, sidecar()], containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-init-containers-complete', 'pod-start']);
    const initialized = after(steps, 'pod-init-containers-complete');
    expect(condition(initialized, 'Initialized')).toBe('True');
    expect(condition(initialized, 'Ready')).toBe('False');
    expect(status(initialized, 'init')).toMatchObject({ ready: true, started: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(status(initialized, 'side')).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(status(initialized, 'web')?.state.waiting).toMatchObject({ reason: 'PodInitializing' });
    const running = after(steps, 'pod-start');
    expect(condition(running, 'Ready')).toBe('True');
    expect(condition(running, 'ContainersReady')).toBe('True');
    expect(status(running, 'side')).toMatchObject({ ready: true, started: true, state: { running: {} } });
    expect(status(running, 'web')).toMatchObject({ ready: true, state: { running: {} } });
  });

  test('a sidecar that exits restarts with a rising count, the pod stays Running but not Ready, the app container untouched', async () => {
    const steps = await play(spec({ initContainers: [sidecar(['sh', '-c', 'exit 1'])], containers: [{ name: 'web', image: 'nginx:1.27' }] }), 8);
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-init-containers-complete', 'pod-start', 'pod-sidecar-crash', 'pod-sidecar-restart', 'pod-sidecar-crash', 'pod-sidecar-restart', 'pod-sidecar-crash']);
    const pods = steps.map((s) => s.pod?.status);
    expect(pods.slice(3).map((p) => status(p, 'side')?.restartCount)).toEqual([1, 1, 2, 2, 3]);
    expect(status(pods[3], 'side')).toMatchObject({ ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
    expect(status(pods[4], 'side')).toMatchObject({ ready: false, started: true, state: { running: {} } });
    for (const p of pods.slice(2)) {
      expect(p?.phase).toBe('Running');
      expect(condition(p, 'Ready')).toBe('False');
      expect(status(p, 'web')).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
    }
  });

  test('a sidecar in a Job pod: the pod completes (the sidecar does not hold it) and the sidecar is stopped', async () => {
    const steps = await play(spec({ restartPolicy: 'Never', initContainers: [sidecar()], containers: [{ name: 'job', image: 'busybox:1.36', command: ['echo', 'done'] }] }));
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-init-containers-complete', 'pod-start', 'pod-complete']);
    const done = after(steps, 'pod-complete');
    expect(done?.phase).toBe('Succeeded');
    expect(status(done, 'side')).toMatchObject({ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
  });

  test('an unknown sidecar image: ErrImagePull, then ImagePullBackOff, and the pod stays Pending', async () => {
    const steps = await play(spec({ initContainers: [sidecar(undefined, 'busybox:9.9')], containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-image-pull-error', 'pod-image-pull-backoff']);
    expect(status(after(steps, 'pod-image-pull-error'), 'side')?.state.waiting).toMatchObject({ reason: 'ErrImagePull' });
    const last = after(steps, 'pod-image-pull-backoff');
    expect(status(last, 'side')?.state.waiting).toMatchObject({ reason: 'ImagePullBackOff' });
    expect(last?.phase).toBe('Pending');
  });

  test('one crashing container beside a healthy one: only the crashing one restarts', async () => {
    const steps = await play(spec({ containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'bad', image: 'busybox:1.36', command: ['false'] }] }), 6);
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-start', 'pod-crash', 'pod-crash-restart', 'pod-crash', 'pod-crash-restart']);
    expect(steps.slice(2).map((s) => status(s.pod?.status, 'bad')?.restartCount)).toEqual([1, 1, 2, 2]);
  });

  test('restartPolicy Never: a crashing container fails the pod', async () => {
    const steps = await play(spec({ restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }] }));
    expect(stageNames(steps)).toEqual(['pod-create', 'pod-start', 'pod-crash']);
    expect(after(steps, 'pod-crash')?.phase).toBe('Failed');
  });
});

describe('the simulator', () => {
  test('is built against the kwok version the sandbox runs', () => {
    expect(readFileSync(join(SIM_DIR, 'go.mod'), 'utf8')).toContain(`sigs.k8s.io/kwok ${VERSIONS.kwok}\n`);
  });

  test('a pod being deleted is deleted', async () => {
    const steps = await play({ ...spec({ containers: [{ name: 'web', image: 'nginx:1.27' }] }), metadata: { name: 'p', namespace: 'ns', uid: 'u', deletionTimestamp: '2026-01-01T00:00:00Z' } }, 1);
    expect(steps[0]?.matches).toEqual(['pod-delete']);
  });

  // Last in this file (vitest runs a file's tests in order): a stage no scenario reaches is untested.
  test('the scenarios above reach every pod stage', () => {
    const podStages = buildStages([]).filter((s) => (s.spec.resourceRef as { kind: string }).kind === 'Pod').map((s) => s.metadata.name);
    expect(podStages.filter((name) => !visited.has(name))).toEqual([]);
  });
});

// Helpers for real-cluster tests: a namespace per test, kubectl against the test sandbox, waiting on
// conditions (never fixed sleeps).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { inject, onTestFinished } from 'vitest';
import { connect, MANAGED_BY, type Kube } from '../../sandbox/kube.ts';

const exec = promisify(execFile);

export function sandboxEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: inject('kubeconfig'),
    PATH: `${inject('kubectlDir')}:${process.env.PATH}`,
    CKAD_LAB_STATE_DIR: inject('stateDir'),
    CKAD_LAB_WORKDIR: inject('workDir'),
    CKAD_LAB_CONFIG_DIR: inject('configDir'),
  };
}

export function sandboxKube(): Kube {
  return connect({ sandboxKubeconfig: inject('kubeconfig') });
}

export async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', args, { env: sandboxEnv(), maxBuffer: 10 * 1024 * 1024 });
  return stdout;
}

export async function kubectlJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

/** A fresh namespace for this test, labelled as ckad-lab's, deleted when the test finishes. */
export async function testNamespace(kube = sandboxKube()): Promise<string> {
  const name = `t-${randomBytes(3).toString('hex')}`;
  await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MANAGED_BY.key]: MANAGED_BY.value } } });
  onTestFinished(async () => {
    await kube.deleteManagedNamespace(name).catch(() => {});
  });
  return name;
}

/** Polls `probe` until it returns a truthy value, or fails with the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, timeoutMs = 30_000, intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Runs the CLI as a user would (through Node 26 from node_modules), against the test sandbox. */
export async function ckadLab(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['cli/ckad-lab.js', ...args], { env: { ...sandboxEnv(), ...env }, maxBuffer: 10 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

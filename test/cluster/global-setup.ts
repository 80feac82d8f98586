// One real sandbox per test run, in its own state directory (a user's exam sandbox is never touched),
// destroyed afterwards. The built binaries are shared through the normal cache: a cold machine builds them
// once here, with progress on stderr.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveBinaries, sandboxDestroy, sandboxPaths, sandboxUp } from '../../sandbox/sandbox.ts';
import { sandboxProgressPrinter } from '../../cli/progress.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stateDir: string;
    workDir: string;
    configDir: string;
    kubeconfig: string;
    kubectlDir: string;
    helmDir: string;
  }
}

export default async function setup(project: TestProject) {
  const root = await mkdtemp(join(tmpdir(), 'ckad-lab-test-'));
  const dirs = { stateDir: join(root, 'state'), workDir: join(root, 'work'), configDir: join(root, 'config') };
  // Set here so this process (sandbox functions) and the forked test workers see the same directories.
  process.env.CKAD_LAB_STATE_DIR = dirs.stateDir;
  process.env.CKAD_LAB_WORKDIR = dirs.workDir;
  process.env.CKAD_LAB_CONFIG_DIR = dirs.configDir;
  const started = Date.now();
  const binaries = await resolveBinaries({}, sandboxProgressPrinter());
  await sandboxUp({ binaries, onProgress: sandboxProgressPrinter() });
  process.stderr.write(`Test sandbox up in ${((Date.now() - started) / 1000).toFixed(1)} s (${dirs.stateDir})\n`);
  for (const [key, value] of Object.entries(dirs)) project.provide(key as keyof typeof dirs, value);
  project.provide('kubeconfig', sandboxPaths().kubeconfig);
  project.provide('kubectlDir', dirname(binaries.kubectl));
  project.provide('helmDir', dirname(binaries.helm));
  return async () => {
    await sandboxDestroy();
    await rm(root, { recursive: true, force: true });
  };
}

// Builds the sandbox's binaries from Go modules, once, into the user's cache directory.
//
// No package registry ships kube-apiserver & co., but the Go module proxy ships their source. Each component
// (the control plane, and the toolbox around it: metrics-server, helm) is built in a small wrapper module of its
// own (kwok, kubernetes, metrics-server and helm pin different k8s.io library versions).
// Kubernetes' own go.mod replaces its staging modules (k8s.io/api, ...) with ./staging paths that do not exist
// in the module download, so the wrapper replaces each of them with its published v0.<minor>.<patch>.
import { constants, existsSync } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from './errors.ts';
import { CommandFailed, runCommand } from './exec.ts';
import { cacheDir } from './paths.ts';
import { acquirePidLock } from './process.ts';
import { BINARIES, CONTROL_PLANE, VERSIONS, type BinaryName, type Component } from './versions.ts';

export type BuildProgress = {
  component: Component;
  phase: 'waiting-for-lock' | 'resolving' | 'compiling' | 'linking' | 'done';
  /** Packages compiled so far and in all, while compiling. */
  done?: number;
  total?: number;
  detail?: string;
};

export type BinaryPaths = Record<BinaryName, string>;

const GO_OS_ARCH = `${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** The directory a component's binaries live in once built. */
export const componentBinDir = (component: Component): string =>
  join(cacheDir(), 'bin', `${component}-${VERSIONS[component]}-${GO_OS_ARCH}`);

const buildDir = (component: Component): string => join(cacheDir(), 'build', `${component}-${VERSIONS[component]}`);

const COMPLETE = '.complete';

/** What the cache records about a build. */
export type BuildRecord = { version: string; builtAt: string; seconds?: number; packages?: number };

export async function buildRecord(component: Component): Promise<BuildRecord | undefined> {
  const text = await readFile(join(componentBinDir(component), COMPLETE), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as BuildRecord) : undefined;
}

const ALL_COMPONENTS = Object.keys(BINARIES) as Component[];
/** The order a cold cache is built in: the control plane first, the toolbox after it. */
const BUILD_ORDER: readonly Component[] = ['etcd', 'kwok', 'kubernetes', 'metrics-server', 'helm'];

/** Binaries from the cache, if every component asked for is already built. */
export function cachedBinaries(components: readonly Component[] = ALL_COMPONENTS): BinaryPaths | undefined {
  const paths = {} as BinaryPaths;
  for (const component of components) {
    const dir = componentBinDir(component);
    if (!existsSync(join(dir, COMPLETE))) return undefined;
    for (const name of BINARIES[component]) paths[name] = join(dir, name);
  }
  return paths;
}

/** Builds whatever is missing from the cache (holding a lock so two processes never build at once). */
export async function ensureBuilt(onProgress: (p: BuildProgress) => void = () => {}, components: readonly Component[] = ALL_COMPONENTS): Promise<BinaryPaths> {
  const cached = cachedBinaries(components);
  if (cached) return cached;
  await requireGo();
  const missing = BUILD_ORDER.filter((c) => components.includes(c) && !existsSync(join(componentBinDir(c), COMPLETE)));
  const release = await acquirePidLock(join(cacheDir(), 'build.lock'), (owner) =>
    onProgress({ component: missing[0] ?? 'kubernetes', phase: 'waiting-for-lock', detail: `another ckad-lab process (pid ${owner}) is building; waiting for it` }),
  );
  try {
    // Checked again under the lock: whoever held it may have built some of them meanwhile.
    for (const component of BUILD_ORDER) {
      if (components.includes(component) && !existsSync(join(componentBinDir(component), COMPLETE))) await buildComponent(component, onProgress);
    }
  } finally {
    await release();
  }
  const built = cachedBinaries(components);
  if (!built) throw new UserError('The control-plane build finished but its binaries are missing from the cache.', { hint: `Look in ${join(cacheDir(), 'bin')}; delete it and run the command again.` });
  return built;
}

async function requireGo(): Promise<void> {
  const version = await run('go', ['env', 'GOVERSION'], {}).catch(() => undefined);
  if (!version) {
    throw new UserError('Go is needed once, to build the sandbox (kube-apiserver, etcd, kwok, metrics-server, helm) from Go modules.', {
      hint:
        'Install Go 1.25 or newer (https://go.dev/dl/) and run the command again; the build is cached afterwards.\n' +
        'Or use binaries you already have: set CKAD_LAB_BIN_DIR to a directory holding kube-apiserver, kube-controller-manager,\n' +
        'kube-scheduler, kubectl, etcd, kwok, kwokctl, metrics-server and helm (or list them under `binaries:` in config.yaml).',
    });
  }
}

/** Ldflags that make the binaries and `kubectl version` report the release they were built from. */
function kubernetesLdflags(): string {
  const version = VERSIONS.kubernetes;
  const [major, minor] = version.slice(1).split('.');
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
    );
  }
  return flags.join(' ');
}

type Plan = { files: Record<string, string>; packages: string[]; ldflags: string };

async function planComponent(component: Component): Promise<Plan> {
  switch (component) {
    case 'etcd':
      return {
        files: {
          'go.mod': `module ckad-lab.local/etcd\n\ngo 1.25.0\n\nrequire go.etcd.io/etcd/server/v3 ${VERSIONS.etcd}\n`,
          'main.go': 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
        },
        packages: ['.'],
        ldflags: '-s -w',
      };
    case 'kwok':
      return {
        files: { 'go.mod': `module ckad-lab.local/kwok\n\ngo 1.26.0\n\nrequire sigs.k8s.io/kwok ${VERSIONS.kwok}\n` },
        packages: ['sigs.k8s.io/kwok/cmd/kwok', 'sigs.k8s.io/kwok/cmd/kwokctl'],
        ldflags: `-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${VERSIONS.kwok}`,
      };
    case 'metrics-server': {
      // metrics-server reports its version through client-go's version package (`metrics-server --version`),
      // which kwokctl reads before starting it.
      const version = VERSIONS['metrics-server'];
      const [major, minor] = version.slice(1).split('.');
      const pkg = 'k8s.io/client-go/pkg/version';
      return {
        files: { 'go.mod': `module ckad-lab.local/metrics-server\n\ngo 1.26.4\n\nrequire sigs.k8s.io/metrics-server ${version}\n` },
        packages: ['sigs.k8s.io/metrics-server/cmd/metrics-server'],
        ldflags: ['-s', '-w', `-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`, `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`].join(' '),
      };
    }
    case 'helm':
      return {
        files: { 'go.mod': `module ckad-lab.local/helm\n\ngo 1.26.0\n\nrequire helm.sh/helm/v4 ${VERSIONS.helm}\n` },
        packages: ['helm.sh/helm/v4/cmd/helm'],
        // As helm's Makefile sets them, so `helm version` reports the release.
        ldflags: `-s -w -X helm.sh/helm/v4/internal/version.version=${VERSIONS.helm} -X helm.sh/helm/v4/internal/version.gitTreeState=clean`,
      };
    case 'kubernetes': {
      const staging = await kubernetesStagingModules();
      const stagingVersion = VERSIONS.kubernetes.replace(/^v1\./, 'v0.');
      const replaces = staging.map((m) => `\t${m} => ${m} ${stagingVersion}`).join('\n');
      return {
        files: {
          'go.mod': `module ckad-lab.local/kubernetes\n\ngo 1.25.0\n\nrequire k8s.io/kubernetes ${VERSIONS.kubernetes}\n\nreplace (\n${replaces}\n)\n`,
        },
        packages: BINARIES.kubernetes.map((b) => `k8s.io/kubernetes/cmd/${b}`),
        ldflags: kubernetesLdflags(),
      };
    }
  }
}

/** The k8s.io staging modules that k8s.io/kubernetes replaces with local paths, read from its go.mod. */
async function kubernetesStagingModules(): Promise<string[]> {
  const out = await run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${VERSIONS.kubernetes}`], { GOFLAGS: '-mod=mod' });
  const goMod = (JSON.parse(out) as { GoMod?: string }).GoMod;
  if (!goMod) throw new UserError(`The Go module proxy returned no go.mod for k8s.io/kubernetes@${VERSIONS.kubernetes}.`, { hint: 'Check `go env GOPROXY` and your network, then run the command again.' });
  const text = await readFile(goMod, 'utf8');
  return [...text.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s*=>\s*\.\/staging\//gm)].map((m) => m[1] as string);
}

async function buildComponent(component: Component, onProgress: (p: BuildProgress) => void): Promise<void> {
  const started = Date.now();
  const dir = buildDir(component);
  const plan = await planComponent(component);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(plan.files)) await writeFile(join(dir, name), content);

  onProgress({ component, phase: 'resolving', detail: 'downloading Go modules' });
  // -deps lists every package the build needs; it also resolves and downloads the modules (and writes go.sum).
  const deps = await run('go', ['list', '-mod=mod', '-deps', '-f', '{{if not .Standard}}{{.ImportPath}}{{end}}', ...plan.packages], {}, dir);
  const total = deps.split('\n').filter(Boolean).length;

  const out = join(dir, 'out');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  let done = 0;
  onProgress({ component, phase: 'compiling', done, total });
  const args = ['build', '-mod=mod', '-trimpath', '-v', '-ldflags', plan.ldflags, '-o', plan.packages.length > 1 ? out + '/' : join(out, BINARIES[component][0]), ...plan.packages];
  await run('go', args, {}, dir, (line) => {
    // `go build -v` names each package as it is compiled; cached packages are not named.
    if (line && !line.startsWith('#')) {
      done = Math.min(done + 1, total);
      onProgress({ component, phase: 'compiling', done, total, detail: line });
    }
  });
  onProgress({ component, phase: 'linking', done: total, total });

  const bin = componentBinDir(component);
  const staging = `${bin}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const name of BINARIES[component]) await rename(join(out, name), join(staging, name));
  // How long it took is kept for `npm run bench -- sandbox` (a cold build is measured once, by whoever builds).
  const record: BuildRecord = { version: VERSIONS[component], builtAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000, packages: total };
  await writeFile(join(staging, COMPLETE), JSON.stringify(record) + '\n');
  await rm(bin, { recursive: true, force: true });
  await rename(staging, bin);
  onProgress({ component, phase: 'done' });
}

/** Runs a build tool; a failure names the command and shows the tail of what it said. */
async function run(cmd: string, args: string[], env: Record<string, string>, cwd?: string, onStderrLine?: (line: string) => void): Promise<string> {
  try {
    return await runCommand(cmd, args, { env, ...(cwd ? { cwd } : {}), ...(onStderrLine ? { onStderrLine } : {}) });
  } catch (error) {
    if (!(error instanceof CommandFailed)) throw error;
    throw new UserError(`\`${cmd} ${args.slice(0, 3).join(' ')} ...\` failed (exit ${error.exitCode}) in ${cwd ?? process.cwd()}:\n${error.stderr.trim().split('\n').slice(-15).join('\n')}`, { hint: 'Fix the cause shown above and run the command again; finished components stay cached.' });
  }
}

/**
 * Binaries the user points at instead of building: CKAD_LAB_BIN_DIR, or `binaries:` in config.yaml. The control
 * plane must all be there; metrics-server and helm, when the user has none, are the cache's (built by
 * `ensureToolbox`). Never builds.
 */
export async function userBinaries(configured: Partial<Record<BinaryName, string>>): Promise<BinaryPaths | undefined> {
  const dir = process.env.CKAD_LAB_BIN_DIR;
  if (!dir && Object.keys(configured).length === 0) return undefined;
  const paths = {} as BinaryPaths;
  const missing: string[] = [];
  for (const component of ALL_COMPONENTS) {
    for (const name of BINARIES[component]) {
      const path = configured[name] ?? (dir ? join(dir, name) : undefined);
      const executable = path !== undefined && (await access(path, constants.X_OK).then(() => true, () => false));
      if (executable) paths[name] = path;
      else if (!CONTROL_PLANE.includes(component) && configured[name] === undefined) paths[name] = join(componentBinDir(component), name);
      else missing.push(path ? `${name} (${path} is not an executable file)` : `${name} (not configured)`);
    }
  }
  if (missing.length > 0) {
    const source = dir ? `CKAD_LAB_BIN_DIR=${dir}` : 'binaries: in config.yaml';
    throw new UserError(`Some sandbox binaries from ${source} are missing: ${missing.join(', ')}.`, {
      hint: 'Point every one of kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok and kwokctl at an executable (metrics-server and helm too, or leave them out to have ckad-lab build them), or unset it to let ckad-lab build them all.',
    });
  }
  return paths;
}

/** Builds the toolbox components (metrics-server, helm) that `paths` takes from the cache, if not built yet. */
export async function ensureToolbox(paths: BinaryPaths, onProgress: (p: BuildProgress) => void = () => {}): Promise<BinaryPaths> {
  const fromCache = ALL_COMPONENTS.filter((c) => !CONTROL_PLANE.includes(c) && BINARIES[c].some((name) => paths[name] === join(componentBinDir(c), name)));
  if (fromCache.length > 0) await ensureBuilt(onProgress, fromCache);
  return paths;
}

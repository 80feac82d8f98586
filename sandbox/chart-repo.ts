// The lab's chart repository, `lab` in the sandbox's Helm config: charts written for ckad-lab, kept as sources
// in sandbox/charts/<name>/<version>/, packaged and indexed with helm at start-up into the state directory, and
// served on 127.0.0.1 by a small detached Node process (sandbox/chart-server.ts) while the sandbox runs.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { UserError } from './errors.ts';
import { helmPaths, runHelm } from './helm.ts';
import { sandboxPaths } from './paths.ts';
import { poll } from '../graders/poll.ts';
import { acquirePidLock, isOurs, processesMentioning, readPidFile, stopPids } from './process.ts';

export const REPO_NAME = 'lab';
export const CHARTS_SOURCE_DIR = join(import.meta.dirname, 'charts');
const SERVER_SCRIPT = join(import.meta.dirname, 'chart-server.ts');

export type ChartSource = { name: string; version: string; dir: string };

export const chartRepoPaths = () => {
  const root = join(sandboxPaths().root, 'chart-repo');
  return { root, served: join(root, 'charts'), pidFile: join(root, 'server.pid'), port: join(root, 'port'), sourcesHash: join(root, 'sources.sha256'), log: join(root, 'server.log') };
};

/**
 * The chart sources: one directory per chart version, `<name>/<version>/Chart.yaml`. A Chart.yaml whose name
 * or version disagrees with its directory is a mistake in ckad-lab itself (two sources would package alike).
 */
export function chartSources(dir = CHARTS_SOURCE_DIR): ChartSource[] {
  const sources: ChartSource[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!statSync(join(dir, name)).isDirectory()) continue;
    for (const version of readdirSync(join(dir, name)).sort()) {
      const chartDir = join(dir, name, version);
      const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name?: unknown; version?: unknown };
      if (chart.name !== name || String(chart.version) !== version) {
        throw new Error(`${join(chartDir, 'Chart.yaml')}: name ${String(chart.name)} and version ${String(chart.version)} must match its directory ${name}/${version}`);
      }
      sources.push({ name, version, dir: chartDir });
    }
  }
  return sources;
}

/** A hash over every source file (path and content): the packages are rebuilt only when it changes. */
export function sourcesHash(sources: readonly ChartSource[], root = CHARTS_SOURCE_DIR): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update('\0');
    }
  };
  for (const source of sources) walk(source.dir);
  return hash.digest('hex');
}

export const repoUrl = (port: number): string => `http://127.0.0.1:${port}`;

export type ChartRepoStatus = { pid: number | undefined; alive: boolean; url: string | undefined };

export async function chartRepoStatus(): Promise<ChartRepoStatus> {
  const paths = chartRepoPaths();
  const pid = await readPidFile(paths.pidFile);
  const port = await readPidFile(paths.port);
  return { pid, alive: await isOurs(pid, paths.served), url: port ? repoUrl(port) : undefined };
}

/**
 * Makes the repository serve the current charts and `lab` point at it. Quick when it already does: a running
 * server with unchanged sources is left alone. `helmBinary` packages, indexes and adds the repository.
 */
export async function ensureChartRepo(helmBinary: string): Promise<ChartRepoStatus> {
  const paths = chartRepoPaths();
  await mkdir(paths.root, { recursive: true });
  // Two `sandbox up`s at once (a console's worker and a shell) must not package or start it twice.
  const release = await acquirePidLock(join(paths.root, 'lock'), () => {}, 50);
  try {
    return await ensureChartRepoLocked(helmBinary);
  } finally {
    await release();
  }
}

async function ensureChartRepoLocked(helmBinary: string): Promise<ChartRepoStatus> {
  const packaged = await packageCharts(helmBinary);
  let status = await chartRepoStatus();
  if (status.alive && status.url && !packaged && existsSync(join(helmPaths().config, 'repositories.yaml'))) return status;
  if (!status.alive) status = await startServer();
  // Adds `lab`, or points it at a new address, and downloads its index into Helm's cache, as `helm repo add`
  // does on a prepared exam machine.
  await runHelm(helmBinary, ['repo', 'add', REPO_NAME, status.url as string, '--force-update']);
  return status;
}

/** Packages and indexes the sources when they changed since the last time; true if it did. */
async function packageCharts(helmBinary: string): Promise<boolean> {
  const paths = chartRepoPaths();
  const sources = chartSources();
  const hash = sourcesHash(sources);
  const current = (await readFile(paths.sourcesHash, 'utf8').catch(() => '')).trim();
  if (current === hash && existsSync(join(paths.served, 'index.yaml'))) return false;
  const staging = `${paths.served}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  // One helm process for all of them; the index's URLs are relative, so the port can change without a re-index.
  await runHelm(helmBinary, ['package', ...sources.map((s) => s.dir), '--destination', staging]);
  await runHelm(helmBinary, ['repo', 'index', staging]);
  const old = `${paths.served}.old-${process.pid}`;
  await rename(paths.served, old).catch(() => {});
  await rename(staging, paths.served);
  await rm(old, { recursive: true, force: true });
  await writeFile(paths.sourcesHash, hash + '\n');
  return true;
}

async function startServer(): Promise<ChartRepoStatus> {
  const paths = chartRepoPaths();
  await stopChartRepo();
  // The same address across restarts (the candidate's Helm config names it), unless something else took it.
  const stored = await readPidFile(paths.port);
  for (const port of stored ? [stored, await freePort()] : [await freePort()]) {
    const log = openSync(paths.log, 'a');
    const child = spawn(process.execPath, [SERVER_SCRIPT, paths.served, String(port), paths.pidFile], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    let exited = false;
    child.on('exit', () => (exited = true));
    child.unref();
    const up = await poll(async () => ((await serves(port)) ? true : exited ? false : undefined), { timeoutMs: 10_000, intervalMs: 25 });
    if (up) {
      await writeFile(paths.port, `${port}\n`);
      const status = await chartRepoStatus();
      if (status.alive) return status;
    }
    if (!exited) child.kill('SIGKILL');
  }
  const tail = (await readFile(paths.log, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n  ');
  throw new UserError(`The lab's chart repository did not start:\n  ${tail}`, { hint: `Its log is ${paths.log}. \`ckad-lab sandbox up\` tries again.` });
}

/** The server answers for index.yaml. */
async function serves(port: number): Promise<boolean> {
  try {
    const res = await fetch(`${repoUrl(port)}/index.yaml`, { method: 'HEAD', signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Stops the server (and any stray one serving this sandbox's charts); keeps the packages and the port. */
export async function stopChartRepo(): Promise<void> {
  const paths = chartRepoPaths();
  const pids = (await processesMentioning(paths.served)).filter((p) => p.args.includes(SERVER_SCRIPT)).map((p) => p.pid);
  const left = await stopPids(pids);
  if (left.length > 0) {
    throw new UserError(`Could not stop the lab's chart repository: ${left.join(', ')} still running after SIGTERM and SIGKILL.`, { hint: 'See `ps -o pid,stat,args -p PID`; `ckad-lab sandbox up` tries again once it is gone.' });
  }
  await rm(paths.pidFile, { force: true });
}

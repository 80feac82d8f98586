// `ckad-lab sandbox up|status|down|destroy|reset|env|build`
import { dirname } from 'node:path';
import { CLUSTER_OPTIONS, parse } from '../args.ts';
import { UserError } from '../../sandbox/errors.ts';
import { ensureBuilt } from '../../sandbox/build.ts';
import { connect } from '../../sandbox/kube.ts';
import { resetNamespaces, resolveBinaries, sandboxDestroy, sandboxDown, sandboxEnv, sandboxPaths, sandboxStatus, sandboxUp, shellQuote } from '../../sandbox/sandbox.ts';
import { loadConfig } from '../config.ts';
import { sandboxProgressPrinter } from '../progress.ts';
import { SANDBOX_USAGE } from './sandbox-usage.ts';


export async function sandboxCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parse(`sandbox ${sub ?? ''}`.trim(), rest, { json: { type: 'boolean' }, ...CLUSTER_OPTIONS }, SANDBOX_USAGE);
  if (values.help || !sub) {
    process.stdout.write(SANDBOX_USAGE + '\n');
    return sub ? 0 : 2;
  }
  const config = loadConfig();
  const progress = sandboxProgressPrinter();
  switch (sub) {
    case 'build': {
      const bins = await ensureBuilt((build) => progress({ step: 'build', build }));
      const dirs = [...new Set(Object.values(bins).map((path) => dirname(path)))];
      process.stdout.write(`Binaries ready in:\n${dirs.map((d) => `  ${d}\n`).join('')}`);
      return 0;
    }
    case 'up': {
      const started = Date.now();
      const binaries = await resolveBinaries(config.binaries, progress);
      const status = await sandboxUp({ binaries, onProgress: progress });
      process.stdout.write(
        `Sandbox running: Kubernetes ${status.kubernetesVersion} at ${status.server}, Helm repository "lab" at ${status.chartRepository.url} (${((Date.now() - started) / 1000).toFixed(1)} s)\n\n` +
          `Point kubectl and helm at it:\n  eval "$(npx ckad-lab sandbox env)"\nor\n${sandboxEnv(binaries).replace(/^/gm, '  ').trimEnd()}\n`,
      );
      for (const note of status.notes) process.stderr.write(`\nNote: ${note}\n`);
      return 0;
    }
    case 'status': {
      const status = await sandboxStatus();
      if (values.json) {
        process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      } else {
        process.stdout.write(`Sandbox: ${status.state}${status.server ? ` at ${status.server}` : ''} (Kubernetes ${status.kubernetesVersion})\n`);
        for (const c of status.components) process.stdout.write(`  ${c.alive ? 'up  ' : 'DOWN'} ${c.name}${c.pid ? ` (pid ${c.pid})` : ''}\n`);
        if (status.state !== 'absent') process.stdout.write(`  API ${status.apiReady ? 'ready' : 'not ready'}; kubeconfig ${status.kubeconfig}\n`);
        const repo = status.chartRepository;
        if (status.state !== 'absent') process.stdout.write(`  ${repo.alive ? 'up  ' : 'DOWN'} Helm chart repository "lab"${repo.url ? ` at ${repo.url}` : ''}${repo.pid ? ` (pid ${repo.pid})` : ''}\n`);
        for (const note of status.notes) process.stdout.write(`Note: ${note}\n`);
        if (status.state !== 'running') process.stdout.write(`Start or repair it with: ckad-lab sandbox up\n`);
      }
      return status.state === 'running' ? 0 : 1;
    }
    case 'env': {
      const binaries = await resolveBinaries(config.binaries, progress);
      process.stdout.write(sandboxEnv(binaries));
      return 0;
    }
    case 'reset': {
      const kube = connect({ sandboxKubeconfig: sandboxPaths().kubeconfig, ...(values.context ? { context: values.context } : {}), allowedContexts: [...config.allowContexts, ...(values['allow-context'] ?? [])] });
      const started = Date.now();
      const deleted = await resetNamespaces(kube);
      process.stdout.write(deleted.length ? `Deleted ${deleted.length} ckad-lab namespace(s) on ${kube.context} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${deleted.join(', ')}\n` : `No ckad-lab namespaces on ${kube.context}.\n`);
      return 0;
    }
    case 'down':
      await sandboxDown();
      process.stdout.write('Sandbox stopped; `ckad-lab sandbox up` starts it again with its objects.\n');
      return 0;
    case 'destroy':
      await sandboxDestroy();
      process.stdout.write(`Sandbox deleted (${shellQuote(sandboxPaths().root)}). The built binaries stay cached.\n`);
      return 0;
    default:
      throw new UserError(`ckad-lab sandbox: unknown command "${sub}".`, { hint: SANDBOX_USAGE, exitCode: 2 });
  }
}

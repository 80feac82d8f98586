import { describe, expect, it } from 'vitest';
import { customChecks, validateCustomCheck } from '../../graders/custom/index.ts';
import { runsCommand } from '../../graders/custom/container-command.ts';
import type { KubeObject } from '../../graders/reader.ts';
import { FakeReader, NS, makeTask } from './fake-reader.ts';
import { container, pod } from './fixtures.ts';

const run = (name: string, args: Record<string, unknown>, objects: KubeObject[]) => {
  const task = makeTask([{ name: 'custom', points: 1, custom: name, args }]);
  const fn = customChecks[name];
  if (!fn) throw new Error(`no custom check ${name}`);
  return fn({ reader: new FakeReader(objects), args, namespace: NS, task });
};

/** A Pod whose spec gets `spec` merged in (containers replaced when given). */
const podWith = (name: string, containers: { name: string; image: string; [k: string]: unknown }[], spec: Record<string, unknown> = {}): KubeObject => {
  const p = pod(name, { run: name }, containers);
  p['spec'] = { ...(p['spec'] as object), ...spec };
  return p;
};

describe('containerCommand', () => {
  const sidecar = (fields: Record<string, unknown>) =>
    podWith('simple-webapp', [{ name: 'simple-webapp', image: 'nginx:1.27' }, { name: 'log-agent', image: 'busybox:1.36', ...fields }]);
  const args = { name: 'simple-webapp', container: 'log-agent', argv: ['sleep', '3600'] };

  it('accepts the words in command, in args (no ENTRYPOINT), or split between them', async () => {
    for (const fields of [{ command: ['sleep', '3600'] }, { args: ['sleep', '3600'] }, { command: ['sleep'], args: ['3600'] }]) {
      expect(await run('containerCommand', args, [sidecar(fields)])).toEqual([]);
    }
  });

  it('puts an image ENTRYPOINT in front of args when command is unset', async () => {
    const p = sidecar({ args: ['3600'] });
    expect(await run('containerCommand', { ...args, entrypoint: ['sleep'] }, [p])).toEqual([]);
    expect(await run('containerCommand', args, [p])).toHaveLength(1);
  });

  it('says what runs instead', async () => {
    expect(await run('containerCommand', args, [sidecar({ command: ['sleep'], args: ['360'] })])).toEqual([{
      path: 'spec.containers[log-agent].command',
      expected: 'sleep 3600',
      actual: 'sleep 360',
      message: 'expected the container to run sleep 3600, got sleep 360 (command ["sleep"], args ["360"])',
    }]);
    expect((await run('containerCommand', args, [sidecar({})]))[0]?.message).toBe(
      "expected the container to run sleep 3600, got the image's default command (no command or args set)",
    );
  });

  it('accepts sh -c only with shell: true, and only for the same words', async () => {
    const viaShell = sidecar({ command: ['/bin/sh', '-c', '  sleep   3600 '] });
    expect(await run('containerCommand', args, [viaShell])).toHaveLength(1);
    expect(await run('containerCommand', { ...args, shell: true }, [viaShell])).toEqual([]);
    expect(await run('containerCommand', { ...args, shell: true }, [sidecar({ command: ['sh', '-c', 'sleep 3600; exit 1'] })])).toHaveLength(1);
    expect(await run('containerCommand', { ...args, shell: true }, [sidecar({ command: ['bash', '-c', 'sleep 3600'] })])).toHaveLength(1);
  });

  it('compares an expected shell script word by word', () => {
    expect(runsCommand(['/bin/sh', '-c', 'echo hi >  /x'], ['sh', '-c', 'echo hi > /x'], true)).toBe(true);
    expect(runsCommand(['/bin/sh', '-c', 'echo hi > /x'], ['sh', '-c', 'echo hi > /x'], false)).toBe(false);
    expect(runsCommand(['sh', '-c', 'echo ho > /x'], ['sh', '-c', 'echo hi > /x'], true)).toBe(false);
  });

  it('finds init containers, workload templates, and needs a name when there are several containers', async () => {
    const init = podWith('web', [{ name: 'web', image: 'nginx:1.27' }], { initContainers: [container({ name: 'init', image: 'busybox:1.36', command: ['wget', '-O', '/w/i.html', 'http://info.cern.ch'] })] });
    expect(await run('containerCommand', { name: 'web', init: true, argv: ['wget', '-O', '/w/i.html', 'http://info.cern.ch'] }, [init])).toEqual([]);
    const cron: KubeObject = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: NS },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container({ name: 'tick', image: 'busybox:1.36', command: ['date'] })] } } } } },
    };
    expect(await run('containerCommand', { kind: 'CronJob', name: 'tick', argv: ['date'] }, [cron])).toEqual([]);
    expect(await run('containerCommand', { name: 'simple-webapp', argv: ['sleep', '3600'] }, [sidecar({ command: ['sleep', '3600'] })])).toEqual([{
      path: 'spec.containers', expected: 'exactly one container', actual: 'simple-webapp, log-agent',
      message: 'expected exactly one container, got 2 (simple-webapp, log-agent)',
    }]);
    expect(await run('containerCommand', { ...args, container: 'logger' }, [sidecar({})])).toEqual([{
      path: 'spec.containers[logger]', expected: 'container logger', actual: 'simple-webapp, log-agent',
      message: 'expected a container named logger, got only simple-webapp, log-agent',
    }]);
    expect(await run('containerCommand', args, [])).toEqual([{ path: 'Pod/simple-webapp', expected: 'Pod simple-webapp', actual: '<missing>', message: `Pod simple-webapp not found in namespace ${NS}` }]);
  });

  it('rejects bad args at lint time', () => {
    expect(validateCustomCheck('containerCommand', { name: 'x', argv: [] })).not.toEqual([]);
    expect(validateCustomCheck('containerCommand', { kind: 'Service', name: 'x', argv: ['a'] })).not.toEqual([]);
    expect(validateCustomCheck('containerCommand', { name: 'x', argv: ['a'] })).toEqual([]);
  });
});

describe('volumeMount', () => {
  const secretVolume = { name: 'creds', secret: { secretName: 'db-credentials', defaultMode: 420 } };
  const client = (mounts: unknown[], volumes: unknown[]) =>
    podWith('db-client', [{ name: 'db-client', image: 'busybox:1.36', volumeMounts: mounts }], { volumes });
  const args = { name: 'db-client', mountPath: '/etc/db-credentials', volume: { secret: { secretName: 'db-credentials' } } };

  it('follows the mount at the path to its volume', async () => {
    expect(await run('volumeMount', args, [client([{ name: 'creds', mountPath: '/etc/db-credentials/' }], [secretVolume])])).toEqual([]);
  });

  it('fails when the Secret volume and the mount at the path are different volumes', async () => {
    const p = client([{ name: 'scratch', mountPath: '/etc/db-credentials' }, { name: 'creds', mountPath: '/creds' }], [secretVolume, { name: 'scratch', emptyDir: {} }]);
    const f = await run('volumeMount', args, [p]);
    expect(f.map((x) => x.path)).toEqual(['spec.volumes[scratch].secret.secretName']);
  });

  it('says where things are mounted when nothing is at the path', async () => {
    expect(await run('volumeMount', args, [client([{ name: 'creds', mountPath: '/etc/db' }], [secretVolume])])).toEqual([{
      path: 'spec.containers[db-client].volumeMounts[mountPath=/etc/db-credentials]',
      expected: 'a volume mounted at /etc/db-credentials',
      actual: '/etc/db',
      message: 'expected a volume mounted at /etc/db-credentials, got mounts at /etc/db only',
    }]);
  });

  it('checks the mount itself when asked', async () => {
    const p = client([{ name: 'creds', mountPath: '/etc/db-credentials' }], [secretVolume]);
    expect((await run('volumeMount', { ...args, mount: { readOnly: true } }, [p])).map((x) => x.path)).toEqual([
      'spec.containers[db-client].volumeMounts[mountPath=/etc/db-credentials].readOnly',
    ]);
  });
});

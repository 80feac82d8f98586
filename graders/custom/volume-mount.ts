/*
 * volumeMount: what a container sees at a path — the volume mounted there, followed through the mount's
 * `name` to the pod's `volumes` — for tasks that say "mount Secret X at /etc/x" without naming the volume.
 * A declarative check could only say "some volume is Secret X" and "something is mounted at /etc/x", which
 * also passes when the two are different volumes.
 *
 * args:
 *   kind, name    where the pod spec is: a Pod (default), a workload's template, a CronJob's job template
 *   container     the container's name; without it the pod spec must have exactly one container
 *   init          true: the container is an init container
 *   mountPath     where the volume must be mounted (a trailing "/" is ignored)
 *   volume        expectation over the mounted volume, e.g. {secret: {secretName: db-credentials}}
 *   mount         expectation over the volumeMount itself, e.g. {readOnly: true} or {subPath: app.conf}
 */
import { z } from 'zod';
import { formatValue, match, type Failure } from '../match.ts';
import { ObjectExpect, parseArgs } from './args.ts';
import type { CustomCheck } from './index.ts';
import { ContainerRef, findContainer } from './pod-spec.ts';

export const VolumeMountArgs = z.strictObject({
  ...ContainerRef,
  mountPath: z.string().regex(/^\//, 'must be an absolute path'),
  volume: ObjectExpect,
  mount: ObjectExpect.optional(),
});

type Named = Record<string, unknown> & { name?: unknown; mountPath?: unknown };

const normalise = (p: unknown): string => (typeof p === 'string' ? p.replace(/(.)\/+$/, '$1') : '');

export const volumeMount: CustomCheck = async ({ reader, args, namespace }) => {
  const a = parseArgs('volumeMount', VolumeMountArgs, args);
  const found = await findContainer(reader, namespace, a);
  if (Array.isArray(found)) return found;
  const mounts = (Array.isArray(found.container['volumeMounts']) ? found.container['volumeMounts'] : []) as Named[];
  const want = normalise(a.mountPath);
  const mountAt = `${found.path}.volumeMounts[mountPath=${want}]`;
  const mount = mounts.findLast((m) => normalise(m.mountPath) === want);
  if (!mount) {
    const paths = mounts.map((m) => String(m.mountPath));
    return [{
      path: mountAt,
      expected: `a volume mounted at ${want}`,
      actual: paths.length ? paths.join(', ') : '<missing>',
      message: `expected a volume mounted at ${want}, got ${paths.length ? `mounts at ${paths.join(', ')} only` : 'no volume mounts'}`,
    }];
  }
  const failures: Failure[] = a.mount ? match(a.mount, mount, mountAt) : [];
  const volumes = (Array.isArray(found.spec['volumes']) ? found.spec['volumes'] : []) as Named[];
  const volume = volumes.findLast((v) => v.name === mount.name);
  const volumeAt = `${found.specPath}.volumes[${String(mount.name)}]`;
  if (!volume) {
    failures.push({ path: volumeAt, expected: `a volume named ${formatValue(mount.name)}`, actual: '<missing>', message: `the mount at ${want} names volume ${formatValue(mount.name)}, which the pod does not define` });
    return failures;
  }
  return [...failures, ...match(a.volume, volume, volumeAt)];
};

// The registry of custom checks: TypeScript graders for what the declarative checks cannot say.
// A task names one with `custom: <name>` and passes `args:`. A custom check returns failures like `match`
// does; it throws only for infrastructure trouble (the reader's CouldNotGrade) or bad args (authoring).
import type { z } from 'zod';
import type { Task } from '../../tasks/schema.ts';
import type { Failure } from '../match.ts';
import type { ClusterReader } from '../reader.ts';
import { ContainerCommandArgs, containerCommand } from './container-command.ts';
import { DeploymentRevisionArgs, deploymentRevision } from './deployment-revision.ts';
import { ServiceEndpointsArgs, serviceEndpoints } from './service-endpoints.ts';
import { VolumeMountArgs, volumeMount } from './volume-mount.ts';

export type CustomCheckContext = {
  /** Read-only and shared within a grading pass: treat returned objects as immutable (they are frozen). */
  reader: ClusterReader;
  args: Record<string, unknown>;
  /** The task's main namespace (`namespaces.ns`, rendered). */
  namespace: string;
  task: Task;
};
export type CustomCheck = (ctx: CustomCheckContext) => Promise<Failure[]>;

export const customChecks: Record<string, CustomCheck> = {
  serviceEndpoints,
  deploymentRevision,
  containerCommand,
  volumeMount,
};

const argSchemas: Record<string, z.ZodType> = {
  serviceEndpoints: ServiceEndpointsArgs,
  deploymentRevision: DeploymentRevisionArgs,
  containerCommand: ContainerCommandArgs,
  volumeMount: VolumeMountArgs,
};

/** Authoring problems with a `custom:` check (unknown name, bad args), for tasks lint. Empty when fine. */
export function validateCustomCheck(name: string, args: unknown): string[] {
  if (!Object.hasOwn(customChecks, name)) {
    return [`unknown custom check "${name}" (known: ${Object.keys(customChecks).join(', ')})`];
  }
  const schema = argSchemas[name];
  const r = schema?.safeParse(args);
  if (!r || r.success) return [];
  return r.error.issues.map((i) => `args${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`);
}

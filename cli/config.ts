// config.yaml: what the user allowed and where their own binaries are. Optional; errors point at file:line:col.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatError, parseYamlWithSchema } from '../tasks/load.ts';
import { UserError } from '../sandbox/errors.ts';
import { configDir } from '../sandbox/paths.ts';
import { ALL_BINARIES, type BinaryName } from '../sandbox/versions.ts';

export const Config = z.strictObject({
  /** kubeconfig contexts ckad-lab may change (set tasks up, reset). Never needed for the sandbox. */
  allowContexts: z.array(z.string().min(1)).default([]),
  /** Paths of binaries you already have, instead of building them. */
  binaries: z.partialRecord(z.enum(ALL_BINARIES as [BinaryName, ...BinaryName[]]), z.string().min(1)).default({}),
});
export type Config = z.infer<typeof Config>;

export const configPath = (): string => join(configDir(), 'config.yaml');

export function loadConfig(path = configPath()): Config {
  if (!existsSync(path)) return Config.parse({});
  const { data, errors } = parseYamlWithSchema(readFileSync(path, 'utf8'), path, Config);
  if (!data) {
    throw new UserError(`Invalid config file:\n${errors.map((e) => '  ' + formatError(e)).join('\n')}`, { hint: `Fix ${path}, or move it away to use the defaults.` });
  }
  return data;
}

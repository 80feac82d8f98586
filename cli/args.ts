// Argument parsing on node:util parseArgs, with errors that name the flag and the command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../sandbox/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command that talks to a cluster accepts. */
export const CLUSTER_OPTIONS = {
  context: { type: 'string' },
  'allow-context': { type: 'string', multiple: true },
} as const satisfies Options;

export function parse<O extends Options>(command: string, argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UserError(`ckad-lab ${command}: ${message}`, { hint: `Usage: ${usage}`, exitCode: 2 });
  }
}

export function intOption(command: string, flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UserError(`ckad-lab ${command}: --${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${value}".`, { exitCode: 2 });
  }
  return Number(value);
}

// Argument parsing on node:util parseArgs, with errors that name the flag and the command. Every value a person
// types is checked here, where the flag is known, so none of them reaches the bug notice.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DOMAINS, type Domain } from '../tasks/schema.ts';
import { HelpRequested, UserError } from '../sandbox/errors.ts';
import { EXIT } from './exit.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command that talks to a cluster accepts. */
export const CLUSTER_OPTIONS = {
  context: { type: 'string' },
  'allow-context': { type: 'string', multiple: true },
} as const satisfies Options;

/**
 * Parses `argv` for `command`. `positionals` is how many positional arguments the command takes at most
 * (default none): one more is an error naming it, never silently ignored.
 */
export function parse<O extends Options>(command: string, argv: string[], options: O, usage: string, limits: { positionals?: number } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UserError(`ckad-lab ${command}: ${message}`, { hint: `Usage: ${usage}`, exitCode: EXIT.refused });
  }
  // Every command answers --help with its usage, before it does any work (`tasks verify --help` once verified the catalog).
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(usage.startsWith('Usage') || usage.includes('\n') ? usage : `Usage: ${usage}`);
  const max = limits.positionals ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).map((p) => `"${p}"`).join(' ');
    throw new UserError(`ckad-lab ${command}: unexpected argument${parsed.positionals.length - max > 1 ? 's' : ''} ${extra}${max === 0 ? ' (it takes none)' : ''}.`, { hint: `Usage: ${usage}`, exitCode: EXIT.refused });
  }
  return parsed;
}

/** Seeds draw with 32-bit arithmetic; a larger one would silently draw as another. */
export const SEED_RANGE = { min: 0, max: 2 ** 32 - 1 } as const;

/** A whole-number flag in [min, max]; digits only, so `1e3`, `-1`, `0x10` and `1.5` are refused. */
export function intOption(command: string, flag: string, value: string | undefined, min: number | { min?: number; max?: number } = 0, maxArg = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const lo = typeof min === 'number' ? min : (min.min ?? 0);
  const hi = typeof min === 'number' ? maxArg : (min.max ?? Number.MAX_SAFE_INTEGER);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < lo || n > hi) {
    const range = hi < Number.MAX_SAFE_INTEGER ? ` from ${lo} to ${hi}` : lo > 0 ? ` of at least ${lo}` : '';
    throw new UserError(`ckad-lab ${command}: --${flag} must be a whole number${range}, got "${value}".`, { exitCode: EXIT.refused });
  }
  return n;
}

/** `--domain D`: one of the curriculum's domains (its own keys, never Object's: `constructor` is no domain). */
export function domainOption(command: string, value: string | undefined): Domain | undefined {
  if (value === undefined) return undefined;
  if (!Object.hasOwn(DOMAINS, value)) {
    throw new UserError(`ckad-lab ${command}: --domain ${value} is not a CKAD domain.`, { hint: `Domains: ${Object.keys(DOMAINS).join(', ')}`, exitCode: EXIT.refused });
  }
  return value as Domain;
}

/**
 * A file a command writes (--junit, --html, --csv): checked before any work is done, with one rule for every
 * such flag. Missing parent directories are created when the file is written (cli/report/export.ts
 * writeOutputFile); what cannot work is refused now: an existing directory, or a parent path that runs
 * through a file. Returns the absolute path.
 */
export function outputPath(command: string, flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const file = resolve(value);
  const refuse = (why: string) => new UserError(`ckad-lab ${command}: --${flag} ${value}: ${why}.`, { hint: `Give a file path, e.g. --${flag} reports/ckad-lab.${flag === 'junit' ? 'xml' : flag}`, exitCode: EXIT.refused });
  if (value === '' || value.endsWith('/')) throw refuse('that names a directory, not a file');
  if (existsSync(file) && statSync(file).isDirectory()) throw refuse('that is a directory');
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(dir)) continue;
    if (!statSync(dir).isDirectory()) throw refuse(`${dir} is a file, so no directory can be made there`);
    break;
  }
  return file;
}

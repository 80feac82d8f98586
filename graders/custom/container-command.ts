/*
 * containerCommand: the process a container runs — `command` and `args` taken together — for tasks that say
 * "runs `sleep 3600`" without saying which of the two fields holds which word. `command: [sleep, "3600"]`,
 * `command: [sleep]` + `args: ["3600"]` and (for an image without an ENTRYPOINT) `args: [sleep, "3600"]` all
 * run the same process, and all pass. When a task does prescribe the fields ("command [sh, -c], args [...]"),
 * match `command` and `args` declaratively instead.
 *
 * The process is `command` followed by `args`; without `command` it is the image's ENTRYPOINT followed by
 * `args`; with neither it is the image's default, which never passes. busybox and alpine have no ENTRYPOINT
 * (the default `entrypoint: []`); for an image that has one, pass it.
 *
 * args:
 *   kind, name    where the pod spec is: a Pod (default), a workload's template, a CronJob's job template
 *   container     the container's name; without it the pod spec must have exactly one container
 *   init          true: the container is an init container
 *   argv          the words the container must run, e.g. [sleep, "3600"]
 *   entrypoint    the image's ENTRYPOINT, used when `command` is unset (default: none)
 *   shell         also accept the words run through a shell: `sh -c "sleep 3600"` (or `/bin/sh -c`), when the
 *                 script split at whitespace is exactly the words. Quotes are not interpreted, so a script
 *                 with quoting passes only if the expected words are the script's words as written. If argv
 *                 itself is `[sh, -c, SCRIPT]`, `/bin/sh` for `sh` and runs of whitespace in SCRIPT are
 *                 accepted too.
 */
import { z } from 'zod';
import type { Failure } from '../match.ts';
import { parseArgs } from './args.ts';
import type { CustomCheck } from './index.ts';
import { ContainerRef, findContainer } from './pod-spec.ts';

export const ContainerCommandArgs = z.strictObject({
  ...ContainerRef,
  argv: z.array(z.string()).min(1),
  entrypoint: z.array(z.string()).default([]),
  shell: z.boolean().default(false),
});

const SHELLS = new Set(['sh', '/bin/sh']);

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length > 0 ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : undefined;

/** The process `command` and `args` make, or undefined for the image's default. */
export function effectiveArgv(command: string[] | undefined, args: string[] | undefined, entrypoint: readonly string[]): string[] | undefined {
  if (command) return [...command, ...(args ?? [])];
  if (args) return [...entrypoint, ...args];
  return undefined;
}

const words = (script: string): string[] => script.trim().split(/\s+/).filter(Boolean);
const sameWords = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((w, i) => w === b[i]);
const shellScript = (argv: readonly string[]): string | undefined =>
  argv.length === 3 && SHELLS.has(argv[0] ?? '') && argv[1] === '-c' ? argv[2] : undefined;

/** Whether `actual` runs what `expected` says (see the header for what `shell` allows). */
export function runsCommand(actual: readonly string[], expected: readonly string[], shell: boolean): boolean {
  if (sameWords(actual, expected)) return true;
  if (!shell) return false;
  const script = shellScript(actual);
  if (script === undefined) return false;
  const expectedScript = shellScript(expected);
  if (expectedScript !== undefined) return sameWords(words(script), words(expectedScript));
  return sameWords(words(script), expected);
}

/** A command line as a candidate would read it: words joined by spaces, quoted when they need it. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((w) => (w === '' || /[\s"'\\]/.test(w) ? JSON.stringify(w) : w)).join(' ');
}

export const containerCommand: CustomCheck = async ({ reader, args, namespace }) => {
  const a = parseArgs('containerCommand', ContainerCommandArgs, args);
  const found = await findContainer(reader, namespace, a);
  if (Array.isArray(found)) return found;
  const command = strings(found.container['command']);
  const cargs = strings(found.container['args']);
  const actual = effectiveArgv(command, cargs, a.entrypoint);
  if (actual && runsCommand(actual, a.argv, a.shell)) return [];
  const fields = [command && `command ${JSON.stringify(command)}`, cargs && `args ${JSON.stringify(cargs)}`].filter(Boolean).join(', ');
  const got = actual ? `${formatArgv(actual)} (${fields})` : "the image's default command (no command or args set)";
  const failure: Failure = {
    path: `${found.path}.command`,
    expected: formatArgv(a.argv),
    actual: actual ? formatArgv(actual) : '<image default>',
    message: `expected the container to run ${formatArgv(a.argv)}, got ${got}`,
  };
  return [failure];
};

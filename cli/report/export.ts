// Exporting results: `--json` to stdout, files (`--junit`, and any other output file a command writes)
// through writeOutputFile, the one rule for output paths.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../sandbox/errors.ts';
import type { HistoryRecord } from '../exam/history.ts';
import type { Output } from '../exam/output.ts';
import { writeFileAtomic } from '../exam/store.ts';
import { EXIT } from '../exit.ts';
import { toJUnit } from './junit.ts';

export type ExportOptions = {
  /** Print the history record (report, per-domain scores, tasks) as JSON on stdout. */
  json?: boolean;
  /** Write JUnit XML to this file. */
  junit?: string;
};

const WHAT: Record<string, string> = { junit: 'JUnit report', html: 'HTML report', csv: 'CSV' };

/**
 * Writes an output file a flag named (`--junit`, `--html`, `--csv`), for every command the same way: missing
 * parent directories are created (as CI expects of `--junit reports/x.xml`), the file is replaced atomically,
 * and a path that cannot be written is a UserError naming the flag, the file and why. Returns the line that
 * says where it went. cli/args.ts outputPath refuses what can never work before any work is done.
 */
export function writeOutputFile(command: string, flag: string, path: string, content: string): string {
  const file = resolve(path);
  const what = WHAT[flag] ?? `--${flag} file`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, content);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOTDIR' ? 'a parent of it is a file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'ENOSPC' ? 'the disk is full' : e.code === 'EROFS' ? 'the file system is read-only' : e.message;
    throw new UserError(`ckad-lab ${command}: cannot write the ${what} to ${file} (--${flag}): ${why}.`, { hint: `Choose a path you can write, e.g. --${flag} ./ckad-lab.${flag === 'junit' ? 'xml' : flag}`, exitCode: EXIT.error, cause: error });
  }
  return `${what[0]?.toUpperCase()}${what.slice(1)} written to ${file}`;
}

/** Returns the lines to tell the user (where the JUnit file went); throws a UserError if it cannot be written. */
export function exportRecord(record: HistoryRecord, options: ExportOptions, output: Output, command = 'report'): string[] {
  if (options.json) output.out(`${JSON.stringify(record, null, 2)}\n`);
  if (!options.junit) return [];
  return [writeOutputFile(command, 'junit', options.junit, toJUnit(record.report, record.tasks, { name: `ckad-lab ${record.kind} ${record.id}`, timestamp: record.startedAt }))];
}

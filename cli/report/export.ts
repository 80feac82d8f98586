// Exporting a finished attempt: `--json` to stdout, `--junit FILE` atomically to a file.
import { resolve } from 'node:path';
import type { HistoryRecord } from '../exam/history.ts';
import type { Output } from '../exam/output.ts';
import { writeFileAtomic } from '../exam/store.ts';
import { toJUnit } from './junit.ts';

export type ExportOptions = {
  /** Print the history record (report, per-domain scores, tasks) as JSON on stdout. */
  json?: boolean;
  /** Write JUnit XML to this file. */
  junit?: string;
};

/** Returns the lines to tell the user (where the JUnit file went); throws a readable error if it cannot be written. */
export function exportRecord(record: HistoryRecord, options: ExportOptions, output: Output): string[] {
  const notes: string[] = [];
  if (options.junit) {
    const file = resolve(options.junit);
    try {
      writeFileAtomic(file, toJUnit(record.report, record.tasks, { name: `ckad-lab ${record.kind} ${record.id}`, timestamp: record.startedAt }));
    } catch (error) {
      throw new Error(`Cannot write the JUnit report to ${file} (--junit): ${(error as Error).message}`);
    }
    notes.push(`JUnit report written to ${file}`);
  }
  if (options.json) output.out(`${JSON.stringify(record, null, 2)}\n`);
  return notes;
}

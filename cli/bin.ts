// Runs a command; cli/ckad-lab.js loads this once the Node version is known to be right. The one exit path:
// every error a command does not answer itself travels here, and only here is it turned into a message, a
// hint and an exit code (the table: cli/exit.ts). Errors a user can act on are printed as a message and a
// hint, never a stack trace; anything else is a bug, reported with where the details were written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelpRequested, UserError } from '../sandbox/errors.ts';
import { CouldNotGrade } from '../graders/reader.ts';
import { stateDir } from '../sandbox/paths.ts';
import { EXIT } from './exit.ts';
import { trace } from './trace.ts';

trace('console', 'process started', performance.timeOrigin);

// A reader that stops early (`ckad-lab sandbox status | head`) closes the pipe: stop writing and leave quietly,
// as other command-line tools do, instead of an unhandled EPIPE. Any other stream error is a bug.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const { main } = await import('./main.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = report(error);
}

/**
 * Failures of the machine rather than of ckad-lab: whatever file they name, no code change would help. Any
 * other system error (ENOENT, EISDIR, ...) must be caught where the file is known and said as a UserError.
 */
const ENVIRONMENT = new Set(['EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE', 'EIO']);

function report(error: unknown): number {
  if (error instanceof HelpRequested) {
    process.stdout.write(`${error.message.trimEnd()}\n`);
    return EXIT.ok;
  }
  if (error instanceof UserError) {
    process.stderr.write(`error: ${error.message}\n${error.hint ? error.hint.replace(/^/gm, '  ') + '\n' : ''}`);
    return error.exitCode;
  }
  if (error instanceof CouldNotGrade) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.couldNotGrade;
  }
  const system = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof system.code === 'string' && ENVIRONMENT.has(system.code) && system.syscall) {
    process.stderr.write(`error: ${error.message}\n  ${system.path ? `Check ${system.path}: its permissions, and the space on its disk.` : 'Check the permissions and free space of ckad-lab\'s directories.'}\n`);
    return EXIT.error;
  }
  // A bug: keep the details for a report, show one line.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  let where = '';
  try {
    const dir = join(stateDir(), 'logs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `crash-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    writeFileSync(file, `${process.argv.join(' ')}\n${detail}\n`);
    where = ` Details: ${file}`;
  } catch {
    // Nowhere to write: the message alone will do.
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n  This is a bug in ckad-lab.${where}\n`);
  return EXIT.bug;
}

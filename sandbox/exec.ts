// Running a tool (go, kwokctl, ps) and collecting its output. Callers turn a failure into a message of their own.
import { spawn } from 'node:child_process';

export class CommandFailed extends Error {
  override name = 'CommandFailed';
  readonly exitCode: number | null;
  /** The tail of what the command wrote to stderr. */
  readonly stderr: string;
  constructor(cmd: string, exitCode: number | null, stderr: string) {
    super(`${cmd} exited ${exitCode}`);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Resolves with the command's stdout; rejects with CommandFailed (or the spawn error, e.g. ENOENT). */
export function runCommand(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; onStderrLine?: (line: string) => void } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d).slice(-20_000);
      if (!opts.onStderrLine) return;
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onStderrLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new CommandFailed(cmd, code, stderr))));
  });
}

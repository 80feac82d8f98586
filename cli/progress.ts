// Progress on stderr for headless commands: one rewritten line on a terminal, a line per milestone otherwise
// (CI logs stay readable). The Ink screens draw their own.
import type { SandboxProgress } from '../sandbox/sandbox.ts';

export function sandboxProgressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: SandboxProgress) => void {
  const tty = stream.isTTY === true;
  let lastLine = '';
  let lastPercentStep = -1;
  return (p) => {
    let line: string;
    if (p.build) {
      const b = p.build;
      const name = `${b.component}`;
      if (b.phase === 'compiling' && b.total) {
        const percent = Math.floor(((b.done ?? 0) / b.total) * 100);
        const bar = '#'.repeat(Math.floor(percent / 5)).padEnd(20, '.');
        line = `Building ${name} [${bar}] ${percent}% (${b.done}/${b.total} packages; one-time, cached afterwards)`;
        if (!tty) {
          const step = Math.floor(percent / 10);
          if (step === lastPercentStep) return;
          lastPercentStep = step;
        }
      } else {
        lastPercentStep = -1;
        line = { 'waiting-for-lock': `Waiting: ${b.detail ?? 'another build is running'}`, resolving: `Building ${name}: downloading Go modules`, compiling: `Building ${name}: compiling`, linking: `Building ${name}: linking`, done: `Built ${name}` }[b.phase];
      }
    } else {
      line = `Sandbox: ${p.step}`;
    }
    if (line === lastLine) return;
    lastLine = line;
    if (tty) stream.write(`\r\x1b[2K${line}${p.build?.phase === 'done' || !p.build ? '\n' : ''}`);
    else stream.write(line + '\n');
  };
}

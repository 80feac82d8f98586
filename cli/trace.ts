// Startup milestones for `npm run bench -- ui`: with CKAD_LAB_TRACE=FILE set, each process appends
// "<epoch ms> <process> <event>" lines to FILE, so the benchmark can say where the time to the first task went.
// Without it, nothing happens.
import { appendFileSync } from 'node:fs';

const file = process.env.CKAD_LAB_TRACE;

export function trace(who: string, event: string, at = performance.timeOrigin + performance.now()): void {
  if (!file) return;
  appendFileSync(file, `${at.toFixed(1)}\t${who}\t${event}\n`);
}

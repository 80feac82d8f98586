// End to end: the real Ink console in a real pseudo-terminal (tmux), against the real sandbox. A candidate
// starts a drill, solves it with kubectl in "another terminal", presses the check key and sees full marks.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { ckadLab, kubectl, sandboxEnv, waitFor } from './helpers.ts';

const exec = promisify(execFile);
const socket = `ckad-lab-test-${randomBytes(3).toString('hex')}`;
// A private tmux server: it starts with exactly this environment, whatever tmux the developer runs. The pane is
// a candidate's terminal, so CI's own CI=true (which means "no console") is not passed on.
const terminalEnv = () => {
  const env: NodeJS.ProcessEnv = { ...sandboxEnv(), TERM: 'xterm-256color' };
  delete env.CI;
  return env;
};
const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args], { env: terminalEnv() });
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'lab')).stdout;

afterEach(async () => {
  await tmux('kill-server').catch(() => {});
});

test('drill configmap-from-literals: solve with kubectl, press check, see full marks', async () => {
  const command = `${process.execPath} cli/ckad-lab.js drill configmap-from-literals --seed 0`;
  await tmux('new-session', '-d', '-s', 'lab', '-x', '150', '-y', '45', '-c', process.cwd(), command);

  const namespace = await waitFor('the drill on screen', async () => /Namespace\s+([a-z0-9-]+-config-lab)/.exec(await screen())?.[1], 30_000);
  const before = await screen();
  expect(before).toContain('APP_COLOR=blue');
  expect(before).toContain('export KUBECONFIG=');

  await kubectl('create', 'configmap', 'app-config', '--from-literal=APP_COLOR=blue', '--from-literal=APP_MODE=prod', '-n', namespace);
  // The key may arrive before Ink listens for input; press again until a check result is drawn.
  const checked = await waitFor('a check result', async () => {
    await tmux('send-keys', '-t', 'lab', 'c');
    const text = await screen();
    return /Check \d+/.test(text) ? text : undefined;
  }, 20_000, 500);
  expect(checked).toMatch(/2\/2 points\s+·\s+all checks pass/);
  expect(checked).not.toContain('✗');

  await tmux('send-keys', '-t', 'lab', 'q');
  await tmux('send-keys', '-t', 'lab', 'y');

  // The check is in history at once, where `drill --weakest` reads it.
  const history = await ckadLab(['history', '--json']);
  const records = JSON.parse(history.stdout) as { kind: string; percent: number; tasks: { namespace: string }[]; drill?: { taskId: string; solvedOnCheck: number | null } }[];
  const mine = records.find((r) => r.tasks[0]?.namespace === namespace);
  expect(mine).toMatchObject({ kind: 'drill', percent: 100, drill: { taskId: 'configmap-from-literals', solvedOnCheck: 1 } });
});

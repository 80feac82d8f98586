// The sandbox's files on disk: private keys and admin kubeconfigs readable by their owner only.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { sandboxPaths } from '../../sandbox/paths.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

test('private keys are mode 600 and the directories holding them 700; so is the kubeconfig', async () => {
  const root = sandboxPaths().root;
  const keys = (await filesUnder(root)).filter((f) => f.endsWith('.key'));
  expect(keys.map((k) => k.slice(root.length))).toEqual(expect.arrayContaining([expect.stringMatching(/pki\/ca\.key$/), expect.stringMatching(/pki\/admin\.key$/)]));
  for (const file of [...keys, sandboxPaths().kubeconfig]) {
    expect(((await stat(file)).mode & 0o777).toString(8), file).toBe('600');
    expect(((await stat(dirname(file))).mode & 0o777).toString(8), dirname(file)).toBe('700');
  }
});

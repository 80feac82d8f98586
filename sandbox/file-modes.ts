// Private keys on disk: only their owner may read them. kwokctl writes the sandbox's PKI (the CA's and the admin's
// keys) world-readable (0644) in 0750 directories; a key is mode 0600 and its directory 0700 once this ran.
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Files that hold a private key or an admin credential. */
const isPrivate = (name: string): boolean => name.endsWith('.key') || name === 'kubeconfig' || name === 'kubeconfig.yaml';

/** Finds private files under `root` (binaries' directories aside) and restricts them and their directories. */
export async function protectPrivateFiles(root: string): Promise<string[]> {
  const changed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    let holdsPrivate = false;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'bin' && entry.name !== 'etcd') await walk(path);
      else if (entry.isFile() && isPrivate(entry.name)) {
        await chmod(path, 0o600);
        changed.push(path);
        holdsPrivate = true;
      }
    }
    if (holdsPrivate) await chmod(dir, 0o700);
  };
  await walk(root);
  return changed;
}

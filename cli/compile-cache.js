// Where Node's compile cache lives: the compile/ directory under ckad-lab's cache directory, computed exactly as
// cacheDir() in sandbox/paths.ts does (test/unit/launcher.test.ts holds the two together). Plain JavaScript,
// because cli/ckad-lab.js needs it before any TypeScript has loaded.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** @returns {string} */
export function compileCacheDir(env = process.env) {
  const xdgCache = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(env.CKAD_LAB_CACHE_DIR ?? join(xdgCache, 'ckad-lab'), 'compile');
}

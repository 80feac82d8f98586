#!/usr/bin/env node
// The command's entry point, in plain JavaScript so that it runs on any Node: it says which Node is needed
// rather than failing on TypeScript syntax, and it turns on Node's compile cache before the first TypeScript
// module loads. With the cache warm, Node neither strips types again nor loads its type stripper (about 17 MB),
// and compiles less: the exam console and its lab worker start faster and smaller. Then cli/bin.ts runs.
import module from 'node:module';
import { compileCacheDir } from './compile-cache.js';

const [major] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 24) {
  process.stderr.write(`ckad-lab needs Node 24 or newer (this is ${process.version}). Run it through npm (npm start, npx ckad-lab), which uses the Node pinned in package.json.\n`);
  process.exit(1);
}

const compileCache = compileCacheDir();
module.enableCompileCache?.(compileCache);
// Node processes ckad-lab starts (the lab worker) use it too.
process.env.NODE_COMPILE_CACHE ??= compileCache;

await import('./bin.ts');

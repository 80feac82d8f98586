// The lab's Helm chart repository: a static file server for index.yaml and the packaged charts, run as a
// detached process by `sandbox up` (sandbox/chart-repo.ts) and stopped with the sandbox.
//
//   node chart-server.ts <directory> <port> <pid file>
//
// It listens on 127.0.0.1 only, serves GET and HEAD of plain files directly inside <directory>, and writes its
// pid file once it is listening (so a second server that lost the port to the first never claims it).
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';

const [dir, portText, pidFile] = process.argv.slice(2);
if (!dir || !portText || !pidFile) {
  process.stderr.write('usage: chart-server.ts <directory> <port> <pid file>\n');
  process.exit(2);
}

const TYPES: Record<string, string> = { '.yaml': 'application/yaml', '.tgz': 'application/gzip', '.prov': 'text/plain' };

const server = createServer((req, res) => {
  const name = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.replace(/^\/+/, ''));
  const type = TYPES[name.slice(name.lastIndexOf('.'))];
  // Only plain file names: never a path out of the directory.
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !type || name !== basename(name) || name.startsWith('.')) {
    res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).end();
    return;
  }
  const file = join(dir, name);
  stat(file).then(
    (s) => {
      if (!s.isFile()) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': type, 'content-length': s.size, 'last-modified': s.mtime.toUTCString() });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    },
    () => res.writeHead(404).end(),
  );
});

server.on('error', (error) => {
  process.stderr.write(`chart repository: ${error.message}\n`);
  process.exit(1);
});
server.listen(Number(portText), '127.0.0.1', () => {
  writeFile(pidFile, `${process.pid}\n`).then(
    () => process.stderr.write(`chart repository: serving ${dir} at http://127.0.0.1:${portText}\n`),
    (error: Error) => {
      process.stderr.write(`chart repository: cannot write ${pidFile}: ${error.message}\n`);
      process.exit(1);
    },
  );
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

// `kubectl top` shows CPU as a rate over two scrapes of a real metrics-server, which a busy machine can put a
// millicore above or below the usage a task sets (a CI run saw 151m for 150m). A candidate who writes and uses what
// it shows is right: requests-from-top takes one millicore either side, and no more.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeTask } from '../../graders/engine.ts';
import type { FileReader } from '../../graders/checks/file.ts';
import { catalogDir, loadTaskFile } from '../../tasks/load.ts';
import { renderTask } from '../../tasks/render.ts';
import { FakeReader, fakeClock } from './fake-reader.ts';

function setUp(cpu: string) {
  const loaded = loadTaskFile(join(catalogDir(), 'requests-from-top.yaml'));
  if (!loaded.ok) throw new Error('requests-from-top does not load');
  const { task, values } = renderTask(loaded.task, { workdir: '/w' });
  const ns = values.ns as string;
  const container = { name: 'indexer', image: 'busybox:1.36', resources: { requests: { cpu, memory: '180Mi' }, limits: { memory: '512Mi' } } };
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'indexer', namespace: ns }, spec: { template: { spec: { containers: [container] } } } };
  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'indexer' } },
    spec: { containers: [container] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const files: FileReader = {
    readText: async (path) => (path === `${values.workdir}/indexer-usage.txt` ? `${cpu} 180Mi\n` : undefined),
    isDirectory: async (path) => path === values.workdir,
  };
  return gradeTask(task, { reader: new FakeReader([deployment, pod('indexer-1'), pod('indexer-2')]), files, ...fakeClock() });
}

describe('requests-from-top', () => {
  it.each(['149m', '150m', '151m'])('takes %s, as kubectl top may show 150m, in the file and the request', async (cpu) => {
    const result = await setUp(cpu);
    expect(result.checks.filter((c) => !c.passed)).toEqual([]);
    expect(result.score).toBe(result.maxScore);
  });

  it.each(['148m', '152m', '0.16'])('refuses %s', async (cpu) => {
    const result = await setUp(cpu);
    expect(result.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['indexer-usage.txt says "150m 180Mi"', 'container indexer requests 150m CPU and 180Mi memory', '2 Pods of indexer run with the new requests and are ready']);
  });
});

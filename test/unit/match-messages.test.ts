// What failures show: never a Secret's data (issue 12 item 10), equivalent image spellings (item 25), and
// differences that would be invisible or misleading when printed bare (item 26).
import { describe, expect, it } from 'vitest';
import { captureBaseline, gradeTask } from '../../graders/engine.ts';
import { match } from '../../graders/match.ts';
import { FakeReader, fakeClock, makeTask } from './fake-reader.ts';
import { secret } from './fixtures.ts';

const REAL = 'MyRealProdPw99';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
/** Everything a failure prints, as one string. */
const printed = (failures: unknown[]): string => JSON.stringify(failures);

describe('Secret data is never printed', () => {
  const s = secret('db-credentials', { username: 'admin', password: REAL });

  it('$base64: says it differs, with its length, not the decoded value', () => {
    const f = match({ data: { password: { $base64: 'S3cr3tPass' } } }, s);
    expect(f).toEqual([
      { path: 'data.password', expected: 'S3cr3tPass', actual: '<hidden: 14 characters>', message: 'expected S3cr3tPass, got <hidden: 14 characters> (decoded)' },
    ]);
  });

  it('plain values, other operators and whole-object displays hide it too (decoded or encoded)', () => {
    const expectations: unknown[] = [
      { data: { password: b64('S3cr3tPass') } },
      { data: { password: { $regex: 'S3cr.*' } } },
      { data: { password: { $absent: true } } },
      { data: { password: { $oneOf: ['a', 'b'] } } },
      { data: { $exact: [] } },
      { data: { password: [] } },
      { data: { password: { $base64: 'x' }, $anyOf: [{ username: { $base64: 'root' } }] } },
      { stringData: { password: 'S3cr3tPass' } },
      { $not: { kind: 'Secret' } },
    ];
    const withStringData = { ...s, stringData: { password: REAL } };
    for (const e of expectations) {
      const f = match(e, withStringData);
      expect(f.length).toBeGreaterThan(0);
      expect(printed(f)).not.toContain(REAL);
      expect(printed(f)).not.toContain(b64(REAL));
    }
  });

  it('prints an actual value that equals public task data (the expected value itself)', () => {
    const f = match({ data: { username: { $not: { $base64: 'admin' } } } }, s);
    expect(f).toHaveLength(1);
    expect(match({ data: { username: { $not: b64('admin') } } }, s)).toMatchObject([{ actual: b64('admin') }]);
  });

  it('says when a Secret value differs only by a trailing newline, or only in whitespace', () => {
    const nl = secret('db', { password: 'S3cr3tPass\n' });
    expect(match({ data: { password: { $base64: 'S3cr3tPass' } } }, nl)).toMatchObject([
      { actual: '<hidden: differs only by a trailing newline>', message: 'expected S3cr3tPass, got <hidden: differs only by a trailing newline> (decoded)' },
    ]);
    expect(match({ data: { password: b64('S3cr3tPass') } }, nl)).toMatchObject([{ actual: '<hidden: differs only by a trailing newline>' }]);
    expect(match({ data: { password: { $base64: 'S3cr3t Pass' } } }, secret('db', { password: 'S3cr3tPass' }))).toMatchObject([
      { actual: '<hidden: differs only in whitespace>' },
    ]);
  });

  it('an unchanged check on Secret data hides the new value', async () => {
    const task = makeTask([
      { name: 'work', points: 1, object: { kind: 'Secret', name: 'db-credentials' }, expect: {} },
      { name: 'keep', points: 1, requires: ['work'], unchanged: { kind: 'Secret', name: 'db-credentials', paths: ['data.password'] } },
    ]);
    const baseline = await captureBaseline(task, new FakeReader([secret('db-credentials', { password: 'setup-pw' })]));
    const r = await gradeTask(task, { reader: new FakeReader([s]), baseline: { [task.id]: baseline }, ...fakeClock() });
    expect(r.checks[1]).toMatchObject({ passed: false, actual: '<hidden: 14 characters>' });
    expect(printed(r.checks)).not.toContain(REAL);
    expect(printed(r.checks)).not.toContain(b64(REAL));
  });

  it('leaves other fields of a Secret, and data of other kinds, as they are', () => {
    expect(match({ type: 'kubernetes.io/tls' }, s)).toMatchObject([{ actual: 'Opaque' }]);
    expect(match({ data: { mode: 'prod' } }, { kind: 'ConfigMap', data: { mode: 'dev' } })).toMatchObject([{ actual: 'dev' }]);
  });
});

describe('values that differ only in whitespace are quoted', () => {
  it('escapes a trailing newline instead of printing two equal-looking values', () => {
    expect(match({ data: { greeting: 'hello' } }, { kind: 'ConfigMap', data: { greeting: 'hello\n' } })).toEqual([
      { path: 'data.greeting', expected: '"hello"', actual: '"hello\\n"', message: 'expected "hello", got "hello\\n"' },
    ]);
    expect(match({ args: { $exact: ['sleep 10'] } }, { args: ['sleep  10'] })).toMatchObject([{ message: 'expected "sleep 10", got "sleep  10"' }]);
  });

  it('keeps values that differ otherwise bare', () => {
    expect(match({ image: 'nginx:1.27' }, { image: 'nginx:1.25' })).toMatchObject([{ message: 'expected nginx:1.27, got nginx:1.25' }]);
  });
});

describe('an empty selector says that it selects everything', () => {
  // networkpolicy-db-ingress: pods app=api in the policy's own namespace.
  const peer = {
    podSelector: { matchLabels: { app: 'api' } },
    namespaceSelector: {
      $anyOf: [
        { $absent: true },
        { matchLabels: { $allOf: [{ 'kubernetes.io/metadata.name': 'netpol-lab' }, { $len: 1 }] }, matchExpressions: { $len: 0 } },
        { matchLabels: { $len: 0 }, matchExpressions: { $exact: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['netpol-lab'] }] } },
      ],
    },
  };

  it('namespaceSelector: {} beside a podSelector admits every namespace, and the failure says so', () => {
    const f = match({ from: { $exact: [peer] } }, { from: [{ podSelector: { matchLabels: { app: 'api' } }, namespaceSelector: {} }] });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: 'from[0].namespaceSelector', actual: '{}' });
    expect(f[0]?.message).toMatch(/^an empty namespaceSelector \{\} selects every namespace/);
    expect(f[0]?.message).not.toMatch(/matchExpressions: expected/);
  });

  it('an empty podSelector selects every Pod', () => {
    const f = match({ spec: { podSelector: { matchLabels: { app: 'db' } } } }, { spec: { podSelector: {} } });
    expect(f).toMatchObject([{ path: 'spec.podSelector', actual: '{}', message: expect.stringMatching(/^an empty podSelector \{\} selects every Pod/) }]);
  });

  it('an empty selector that is expected passes', () => {
    expect(match({ spec: { podSelector: {} } }, { spec: { podSelector: {} } })).toEqual([]);
    expect(match({ spec: { podSelector: { matchLabels: { $len: 0 } } } }, { spec: { podSelector: { matchLabels: {} } } })).toEqual([]);
  });
});

describe('image references are compared normalised', () => {
  const spellings = ['nginx:1.28', 'library/nginx:1.28', 'docker.io/nginx:1.28', 'docker.io/library/nginx:1.28', 'index.docker.io/library/nginx:1.28'];

  it('every spelling of one image matches, under `image` and with $image', () => {
    for (const want of spellings) {
      for (const got of spellings) {
        expect(match({ spec: { containers: { $findBy: 'name', items: [{ name: 'web', image: want }] } } }, { spec: { containers: [{ name: 'web', image: got }] } })).toEqual([]);
        expect(match({ $image: want }, got)).toEqual([]);
      }
    }
    expect(match({ image: 'nginx' }, { image: 'docker.io/library/nginx:latest' })).toEqual([]);
    expect(match({ image: 'kelseyhightower/hello:2.0.0' }, { image: 'docker.io/kelseyhightower/hello:2.0.0' })).toEqual([]);
  });

  it('other images, tags and registries still differ', () => {
    expect(match({ image: 'nginx:1.28' }, { image: 'nginx:1.27' })).toMatchObject([{ message: 'expected nginx:1.28, got nginx:1.27' }]);
    expect(match({ image: 'nginx:1.28' }, { image: 'quay.io/nginx:1.28' })).toHaveLength(1);
    expect(match({ image: 'nginx:1.28' }, { image: 'library/nginx' })).toHaveLength(1);
    expect(match({ image: 'registry.k8s.io/pause:3.10' }, { image: 'docker.io/registry.k8s.io/pause:3.10' })).toHaveLength(1);
  });
});

describe('decoded Secret values are hidden by their own length', () => {
  it('a decoded value that looks like base64 is not decoded again', () => {
    const s = secret('db', { password: 'admin123' });
    expect(match({ data: { password: { $base64: 'admin1234' } } }, s)).toMatchObject([{ actual: '<hidden: 8 characters>' }]);
  });
});

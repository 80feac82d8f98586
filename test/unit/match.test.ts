import { describe, expect, it } from 'vitest';
import { match, validateExpect } from '../../graders/match.ts';
import { getPath } from '../../graders/path.ts';
import { formatValue } from '../../graders/values.ts';
import { parseQuantity } from '../../graders/quantity.ts';
import { deployment, pod, secret } from './fixtures.ts';

const twoContainers = pod('web-1', { app: 'web' }, [
  { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] },
  { name: 'log-agent', image: 'busybox:1.36', args: ['sh', '-c', 'tail -f /var/log/app.log'] },
]);

describe('scalars', () => {
  it('compares equal values and reports path, expected, actual', () => {
    expect(match({ spec: { replicas: 1 } }, deployment('web', [{ name: 'web', image: 'nginx' }]))).toEqual([]);
    expect(match({ spec: { replicas: 3 } }, deployment('web', [{ name: 'web', image: 'nginx' }]))).toEqual([
      { path: 'spec.replicas', expected: '3', actual: '1', message: 'expected 3, got 1' },
    ]);
  });

  it('treats a number and its canonical string as equal (intOrString, templated numbers)', () => {
    expect(match({ targetPort: 8080 }, { targetPort: '8080' })).toEqual([]);
    expect(match({ replicas: '3' }, { replicas: 3 })).toEqual([]);
    expect(match({ enabled: true }, { enabled: 'true' })).toEqual([]);
    expect(match({ replicas: '3' }, { replicas: 30 })).toHaveLength(1);
    expect(match({ port: 80 }, { port: '080' })).toHaveLength(1);
    expect(match({ port: 80 }, { port: 'http' })).toHaveLength(1);
  });

  it('reports an absent field as <missing>', () => {
    expect(match({ spec: { serviceAccountName: 'reader' } }, { spec: {} })).toEqual([
      { path: 'spec.serviceAccountName', expected: 'reader', actual: '<missing>', message: 'expected reader, got <missing>' },
    ]);
  });
});

describe('objects', () => {
  it('matches partially and ignores extra keys', () => {
    expect(match({ metadata: { labels: { app: 'web' } } }, twoContainers)).toEqual([]);
  });

  it('fails when the actual value is not an object', () => {
    const f = match({ spec: { selector: { app: 'web' } } }, { spec: { selector: 'app=web' } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: 'spec.selector', actual: 'app=web' });
  });

  it('descends into a missing object so the failure names the leaf', () => {
    expect(match({ spec: { resources: { limits: { memory: '128Mi' } } } }, { spec: {} })).toEqual([
      { path: 'spec.resources.limits.memory', expected: '128Mi', actual: '<missing>', message: 'expected 128Mi, got <missing>' },
    ]);
  });

  it('requires an object for {} (emptyDir: {})', () => {
    expect(match({ emptyDir: {} }, { emptyDir: {} })).toEqual([]);
    expect(match({ emptyDir: {} }, { hostPath: { path: '/tmp' } })).toMatchObject([{ path: 'emptyDir', actual: '<missing>' }]);
  });

  it('quotes keys with dots and slashes in paths', () => {
    expect(match({ metadata: { labels: { 'app.kubernetes.io/name': 'web' } } }, { metadata: { labels: {} } })).toMatchObject([
      { path: 'metadata.labels["app.kubernetes.io/name"]' },
    ]);
  });
});

describe('$findBy', () => {
  const byName = (items: unknown[]) => ({ spec: { containers: { $findBy: 'name', items } } });

  it('finds containers by name whatever their order', () => {
    const exp = byName([
      { name: 'log-agent', image: 'busybox:1.36' },
      { name: 'web', image: 'nginx:1.27' },
    ]);
    expect(match(exp, twoContainers)).toEqual([]);
  });

  it('reports a wrong image in the second container at containers[name]', () => {
    const exp = byName([
      { name: 'web', image: 'nginx:1.27' },
      { name: 'log-agent', image: 'busybox:1.37' },
    ]);
    expect(match(exp, twoContainers)).toEqual([
      { path: 'spec.containers[log-agent].image', expected: 'busybox:1.37', actual: 'busybox:1.36', message: 'expected busybox:1.37, got busybox:1.36' },
    ]);
  });

  it('reports a missing item at its own path with <missing>', () => {
    const f = match(byName([{ name: 'sidecar', image: 'busybox' }]), twoContainers);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: 'spec.containers[sidecar]', actual: '<missing>' });
  });

  it('uses the last of duplicate env entries, like the runtime', () => {
    const exp = { env: { $findBy: 'name', items: [{ name: 'MODE', value: 'prod' }] } };
    expect(match(exp, { env: [{ name: 'MODE', value: 'prod' }, { name: 'MODE', value: 'dev' }] })).toHaveLength(1);
    expect(match(exp, { env: [{ name: 'MODE', value: 'dev' }, { name: 'MODE', value: 'prod' }] })).toEqual([]);
  });

  it('finds by another key, with key=value in the path', () => {
    const exp = { ports: { $findBy: 'containerPort', items: [{ containerPort: 8080, protocol: 'TCP' }] } };
    expect(match(exp, { ports: [{ containerPort: 80, protocol: 'TCP' }] })).toMatchObject([{ path: 'ports[containerPort=8080]', actual: '<missing>' }]);
  });

  it('treats a missing list as empty and a non-list as a failure', () => {
    const exp = { env: { $findBy: 'name', items: [{ name: 'A' }] } };
    expect(match(exp, {})).toMatchObject([{ path: 'env[A]', actual: '<missing>' }]);
    expect(match(exp, { env: 'A=1' })).toMatchObject([{ path: 'env', message: 'expected a list, got A=1' }]);
  });
});

describe('list modes', () => {
  it('matches a plain list position by position (same as $exact)', () => {
    expect(match({ command: ['sleep', '3600'] }, { command: ['sleep', '3600'] })).toEqual([]);
    expect(match({ command: ['sleep', '3600'] }, { command: ['3600', 'sleep'] })).toMatchObject([{ path: 'command[0]' }, { path: 'command[1]' }]);
    expect(match({ command: { $exact: ['sleep'] } }, { command: ['sleep', '3600'] })).toMatchObject([{ path: 'command', message: expect.stringContaining('expected 1 item(s)') }]);
  });

  it('$contains needs a distinct actual element per expected element, in any order', () => {
    expect(match({ args: { $contains: ['--v=2', '--port=80'] } }, { args: ['--port=80', '--x', '--v=2'] })).toEqual([]);
    const f = match({ args: { $contains: ['--port=80', '--port=80'] } }, { args: ['--port=80'] });
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain('no distinct item');
  });

  it('$contains names the closest element when nothing matches', () => {
    const f = match({ tolerations: { $contains: [{ key: 'gpu', effect: 'NoSchedule' }] } }, { tolerations: [{ key: 'gpu', effect: 'NoExecute' }] });
    expect(f[0]?.message).toContain('closest tolerations[0].effect: expected NoSchedule, got NoExecute');
  });

  it('$set needs the same length and matches in any order', () => {
    expect(match({ verbs: { $set: ['get', 'list', 'watch'] } }, { verbs: ['watch', 'get', 'list'] })).toEqual([]);
    expect(match({ verbs: { $set: ['get', 'list'] } }, { verbs: ['watch', 'get', 'list'] })).toHaveLength(1);
    expect(match({ verbs: { $set: ['get', 'list'] } }, { verbs: ['get', 'get'] })).toHaveLength(1);
  });

  it('treats a missing list as empty for $exact, $set and $len', () => {
    expect(match({ tolerations: { $exact: [] } }, {})).toEqual([]);
    expect(match({ tolerations: { $len: 0 } }, {})).toEqual([]);
    expect(match({ tolerations: { $set: ['a'] } }, {})).toMatchObject([{ actual: '<missing>' }]);
  });
});

describe('predicates', () => {
  it('$regex matches the whole string', () => {
    expect(match({ image: { $regex: 'nginx' } }, { image: 'nginx:1.27' })).toHaveLength(1);
    expect(match({ image: { $regex: 'nginx:1\\.2\\d' } }, { image: 'nginx:1.27' })).toEqual([]);
    expect(match({ image: { $regex: 'nginx:.*' } }, {})).toMatchObject([{ actual: '<missing>', expected: 'matching /nginx:.*/' }]);
  });

  it('$oneOf and numeric comparisons (numeric strings too)', () => {
    expect(match({ policy: { $oneOf: ['Always', 'IfNotPresent'] } }, { policy: 'IfNotPresent' })).toEqual([]);
    expect(match({ policy: { $oneOf: ['Always'] } }, { policy: 'Never' })).toHaveLength(1);
    expect(match({ replicas: { $gte: 2, $lte: 4 } }, { replicas: 3 })).toEqual([]);
    expect(match({ replicas: { $gte: '2' } }, { replicas: '1' })).toMatchObject([{ expected: '>= 2', actual: '1' }]);
    expect(match({ replicas: { $gt: 2 } }, {})).toMatchObject([{ actual: '<missing>' }]);
  });

  it('compares quantities exactly', () => {
    const limits = (cpu: string, memory: string) => ({ resources: { limits: { cpu, memory } } });
    const want = { resources: { limits: { cpu: { $quantity: '500m' }, memory: { $quantity: '1Gi' } } } };
    expect(match(want, limits('0.5', '1024Mi'))).toEqual([]);
    expect(match(want, limits('500m', '1Gi'))).toEqual([]);
    expect(match(want, limits('0.6', '1G'))).toMatchObject([
      { path: 'resources.limits.cpu', expected: '500m', actual: '0.6' },
      { path: 'resources.limits.memory', expected: '1Gi', actual: '1G' },
    ]);
    expect(match({ cpu: { $quantityGte: '100m', $quantityLte: 1 } }, { cpu: '0.1' })).toEqual([]);
    expect(match({ cpu: { $quantityGte: '100m' } }, { cpu: '99m' })).toHaveLength(1);
    expect(match({ memory: { $quantity: '128Mi' } }, { memory: 'lots' })).toMatchObject([{ message: 'expected a quantity 128Mi, got lots' }]);
  });

  it('parses every suffix and e-notation', () => {
    const eq = (a: string, b: string) => {
      const x = parseQuantity(a);
      const y = parseQuantity(b);
      return x !== undefined && y !== undefined && x.num * y.den === y.num * x.den;
    };
    expect(eq('1e3', '1k')).toBe(true);
    expect(eq('1E3', '1k')).toBe(true);
    expect(eq('1Ki', '1024')).toBe(true);
    expect(eq('1Ti', '1024Gi')).toBe(true);
    expect(eq('1M', '1000k')).toBe(true);
    expect(eq('1500u', '1.5m')).toBe(true);
    expect(eq('128M', '128Mi')).toBe(false);
    expect(parseQuantity('1E')).toEqual({ num: 10n ** 18n, den: 1n });
    expect(parseQuantity('12x')).toBeUndefined();
  });

  it('$base64 decodes Secret data, and a failure gives its length, never the value', () => {
    const s = secret('db', { password: 's3cret', user: 'admin' });
    expect(match({ data: { password: { $base64: 's3cret' }, user: { $base64: 'admin' } } }, s)).toEqual([]);
    expect(match({ data: { password: { $base64: 'hunter2' } } }, s)).toEqual([
      { path: 'data.password', expected: 'hunter2', actual: '<hidden: 6 characters>', message: 'expected hunter2, got <hidden: 6 characters> (decoded)' },
    ]);
    expect(match({ data: { password: { $base64: 's3cret' } } }, { data: { password: 's3cret' } })).toMatchObject([{ message: expect.stringContaining('not base64') }]);
    expect(match({ data: { token: { $base64: 'x' } } }, s)).toMatchObject([{ path: 'data.token', actual: '<missing>' }]);
  });

  it('$absent, $exists and $not', () => {
    expect(match({ spec: { nodeName: { $absent: true } } }, { spec: {} })).toEqual([]);
    expect(match({ spec: { nodeName: { $absent: true } } }, { spec: { nodeName: null } })).toEqual([]);
    expect(match({ spec: { nodeName: { $absent: true } } }, { spec: { nodeName: 'n1' } })).toMatchObject([{ expected: '<absent>', actual: 'n1' }]);
    expect(match({ spec: { nodeName: { $exists: true } } }, { spec: {} })).toMatchObject([{ expected: '<present>', actual: '<missing>' }]);
    expect(match({ image: { $not: { $regex: '.*:latest' } } }, { image: 'nginx:latest' })).toMatchObject([{ expected: 'not matching /.*:latest/' }]);
    expect(match({ image: { $not: { $regex: '.*:latest' } } }, { image: 'nginx:1.27' })).toEqual([]);
    expect(match({ metadata: { annotations: { legacy: { $absent: true } } } }, { metadata: {} })).toEqual([]);
  });

  it('$len counts list items, string characters and object keys', () => {
    expect(match({ containers: { $len: 2 } }, { containers: [{}, {}] })).toEqual([]);
    expect(match({ containers: { $len: { $gte: 3 } } }, { containers: [{}, {}] })).toMatchObject([{ path: 'containers', message: 'length: expected >= 3, got 2' }]);
    expect(match({ data: { $len: 1 } }, { data: { a: '1' } })).toEqual([]);
    expect(match({ name: { $len: { $lte: 5 } } }, { name: 'abcdef' })).toHaveLength(1);
    expect(match({ replicas: { $len: 1 } }, { replicas: 3 })).toMatchObject([{ message: 'expected something with a length, got 3' }]);
  });
});

describe('$anyOf / $allOf', () => {
  // "Make CONFIG_MODE available from ConfigMap app-config": env valueFrom or envFrom are both right.
  const fromConfigMap = {
    spec: {
      containers: {
        $findBy: 'name',
        items: [
          {
            name: 'web',
            $anyOf: [
              { env: { $findBy: 'name', items: [{ name: 'CONFIG_MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } }] } },
              { envFrom: { $contains: [{ configMapRef: { name: 'app-config' } }] } },
            ],
          },
        ],
      },
    },
  };
  const withEnv = (c: Record<string, unknown>) => pod('web-1', { app: 'web' }, [{ name: 'web', image: 'nginx', ...c }]);

  it('passes with env valueFrom', () => {
    expect(match(fromConfigMap, withEnv({ env: [{ name: 'CONFIG_MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } }] }))).toEqual([]);
  });

  it('passes with envFrom', () => {
    expect(match(fromConfigMap, withEnv({ envFrom: [{ configMapRef: { name: 'app-config' } }] }))).toEqual([]);
  });

  it('fails a literal value and reports the closest alternative', () => {
    const f = match(fromConfigMap, withEnv({ env: [{ name: 'CONFIG_MODE', value: 'prod' }] }));
    expect(f).toEqual([
      {
        path: 'spec.containers[web].env[CONFIG_MODE].valueFrom.configMapKeyRef.key',
        expected: 'mode',
        actual: '<missing>',
        message: 'expected mode, got <missing>',
      },
      {
        path: 'spec.containers[web].env[CONFIG_MODE].valueFrom.configMapKeyRef.name',
        expected: 'app-config',
        actual: '<missing>',
        message: 'expected app-config, got <missing>',
      },
    ]);
  });

  it('$allOf needs every part', () => {
    const exp = { image: { $allOf: [{ $regex: 'nginx:.*' }, { $not: 'nginx:latest' }] } };
    expect(match(exp, { image: 'nginx:1.27' })).toEqual([]);
    expect(match(exp, { image: 'nginx:latest' })).toHaveLength(1);
  });
});

describe('authoring errors and output', () => {
  it('throws on an unknown operator', () => {
    expect(() => match({ spec: { replicas: { $gtee: 1 } } }, {})).toThrow(/spec\.replicas: unknown operator \$gtee/);
  });

  it('validateExpect lists every problem with its path', () => {
    expect(
      validateExpect({
        spec: {
          replicas: { $GTE: 1 },
          image: { $regex: '(' },
          containers: { $findBy: 'name', items: [{ image: 'x' }, { name: 'a', ports: { $len: -1 } }] },
          nodeName: null,
          env: { name: 'x', $regex: 'y' },
          cpu: { $quantity: 'lots' },
          tolerations: { $contains: [] },
        },
      }),
    ).toEqual([
      'spec.replicas: unknown operator $GTE (did you mean $gte?)',
      expect.stringMatching(/^spec\.image: \$regex \(: /),
      'spec.containers: $findBy items[0] needs a plain `name` value to be found by',
      'spec.containers[a].ports: $len needs a non-negative integer or an operator expectation such as {$gte: 1}',
      'spec.nodeName: null (an empty YAML value?) expects nothing; write {$absent: true} to expect a missing field',
      'spec.env: plain keys (name) cannot sit next to $regex; only $anyOf, $allOf and $not may',
      'spec.cpu: $quantity needs a Kubernetes quantity (e.g. 128Mi, 500m), got lots',
      'spec.tolerations: $contains needs a non-empty list (an empty one matches anything)',
    ]);
    expect(validateExpect({ spec: { replicas: { $gte: '{{replicas}}' } } })).toHaveLength(1);
    expect(validateExpect({ spec: { replicas: 3, template: { spec: { containers: { $findBy: 'name', items: [{ name: 'web' }] } } } } })).toEqual([]);
  });

  it('sorts failures by path, deterministically', () => {
    const f = match({ z: 1, a: { y: 1, b: 1 }, m: 1 }, {});
    expect(f.map((x) => x.path)).toEqual(['a.b', 'a.y', 'm', 'z']);
  });

  it('renders actual values compactly and truncated', () => {
    expect(formatValue(undefined)).toBe('<missing>');
    expect(formatValue('')).toBe('""');
    expect(formatValue({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    const long = formatValue('x'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(120);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('getPath', () => {
  const dep = deployment('web', [
    { name: 'web', image: 'nginx:1.27' },
    { name: 'log-agent', image: 'busybox:1.36' },
  ]);

  it('follows keys, indices and [name]', () => {
    expect(getPath(dep, 'spec.replicas')).toBe(1);
    expect(getPath(dep, 'spec.template.spec.containers[0].image')).toBe('nginx:1.27');
    expect(getPath(dep, 'spec.template.spec.containers[log-agent].image')).toBe('busybox:1.36');
    expect(getPath(dep, 'metadata.annotations["deployment.kubernetes.io/revision"]')).toBe('1');
    expect(getPath(twoContainers, 'spec.containers[web].ports[containerPort=80].name')).toBe('http');
  });

  it('returns undefined for what is not there', () => {
    expect(getPath(dep, 'spec.template.spec.containers[sidecar].image')).toBeUndefined();
    expect(getPath(dep, 'spec.replicas.foo')).toBeUndefined();
    expect(getPath(dep, 'spec.template.spec.containers[9]')).toBeUndefined();
  });

  it('throws on a malformed path', () => {
    expect(() => getPath(dep, 'spec..replicas')).toThrow(/empty key/);
    expect(() => getPath(dep, 'spec.containers[0')).toThrow(/unterminated/);
    expect(() => getPath(dep, '')).toThrow(/empty path/);
  });
});

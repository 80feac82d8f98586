import { describe, expect, it } from 'vitest';
import { bindValues, RenderError, renderString, renderTask, templateRefs } from '../../tasks/render.ts';
import { lintTask } from '../../tasks/lint.ts';
import { minimalTask } from './task-fixture.ts';

/** The RenderError that rendering `task` throws. */
function renderError(task: Parameters<typeof renderTask>[0]): RenderError {
  try {
    renderTask(task);
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
  throw new Error(`task ${task.id} rendered without an error`);
}

/** A task using every place a template can be: params with choices, two namespaces, refs, manifests, keys. */
const configTask = () =>
  minimalTask({
    id: 'config-env',
    namespaces: { ns: 'config-lab', other: 'config-other' },
    params: {
      cm: { value: 'app-config', choices: ['app-config', 'web-config', 'api-config', 'db-config'] },
      key: { value: 'LOG_LEVEL', choices: ['LOG_LEVEL', 'MODE', 'COLOR'] },
      password: 's3cret',
    },
    instructions: 'In namespace {{ ns }}, create ConfigMap {{cm}} with key {{key}}. Files are in {{workdir}}.',
    setup: [
      { apply: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: {{ other }}\ndata:\n  password: {{ password | b64 }}\n' },
      { wait: { kind: 'Secret', name: 'db', namespace: '{{other}}', condition: 'exists' } },
      { file: { path: 'cm.yaml', content: 'name: {{cm}}\n' } },
    ],
    checks: [
      { name: 'cm has the key', points: 2, object: { kind: 'ConfigMap', name: '{{cm}}' }, expect: { data: { '{{key}}': { $regex: '^{{ns}}-' } } } },
      { name: 'secret kept', points: 1, unchanged: { kind: 'Secret', name: 'db', namespace: '{{other}}', paths: ['data.password'] } },
      { name: 'secret value', points: 1, object: { kind: 'Secret', name: 'db', namespace: '{{other}}' }, expect: { data: { password: '{{password|b64}}' } } },
    ],
    solution: 'kubectl -n {{ns}} create configmap {{cm}} --from-literal={{key}}=x',
    wrongSolutions: [{ name: 'wrong namespace', script: 'kubectl -n {{other}} create configmap {{cm}}' }],
    hints: ['Use --from-literal with {{key}}.'],
  });

describe('bindValues', () => {
  it('uses the canonical values without a seed', () => {
    expect(bindValues(configTask())).toEqual({
      ns: 'config-lab',
      other: 'config-other',
      cm: 'app-config',
      key: 'LOG_LEVEL',
      password: 's3cret',
      workdir: '~/ckad-lab/config-lab',
    });
  });

  it('draws the same values from the same seed', () => {
    const task = configTask();
    for (const seed of [0, 1, 42, 2 ** 31]) expect(bindValues(task, { seed })).toEqual(bindValues(task, { seed }));
  });

  it('draws every choice over enough seeds, and only choices', () => {
    const task = configTask();
    const drawn = new Set<string>();
    for (let seed = 0; seed < 200; seed++) drawn.add(bindValues(task, { seed }).cm ?? '');
    expect([...drawn].sort()).toEqual(['api-config', 'app-config', 'db-config', 'web-config']);
  });

  it('draws params independently of each other', () => {
    // Same seed, two params: if both used one stream the pairs would repeat in lockstep.
    const task = configTask();
    const pairs = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const v = bindValues(task, { seed });
      pairs.add(`${v.cm}/${v.key}`);
    }
    expect(pairs.size).toBe(12);
  });

  it('keeps fixed params and namespaces fixed under a seed', () => {
    const v = bindValues(configTask(), { seed: 7 });
    expect(v.password).toBe('s3cret');
    expect(v.ns).toBe('config-lab');
  });

  it('prefixes every namespace and puts the working directory under the prefixed ns', () => {
    const v = bindValues(configTask(), { prefix: 'alice-', workdir: '/home/alice/ckad-lab/' });
    expect(v.ns).toBe('alice-config-lab');
    expect(v.other).toBe('alice-config-other');
    expect(v.workdir).toBe('/home/alice/ckad-lab/alice-config-lab');
  });

  it('refuses a prefix that makes a namespace invalid, naming the task and namespace', () => {
    expect(() => bindValues(configTask(), { prefix: 'Alice_' })).toThrow(/task config-env: namespaces\.ns: namespace "Alice_config-lab"/);
    expect(() => bindValues(configTask(), { prefix: 'a'.repeat(60) })).toThrow(RenderError);
  });
});

describe('renderTask', () => {
  it('renders every string of the task with the prefixed namespaces', () => {
    const { task, values } = renderTask(configTask(), { prefix: 'bob-', workdir: '/w' });
    expect(values.ns).toBe('bob-config-lab');
    expect(task.instructions).toBe('In namespace bob-config-lab, create ConfigMap app-config with key LOG_LEVEL. Files are in /w/bob-config-lab.');
    expect(task.setup[0]).toEqual({
      apply: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: bob-config-other\ndata:\n  password: czNjcmV0\n',
    });
    expect(task.setup[1]).toMatchObject({ wait: { namespace: 'bob-config-other' } });
    expect(task.setup[2]).toEqual({ file: { path: 'cm.yaml', content: 'name: app-config\n' } });
    expect(task.checks[0]).toMatchObject({ object: { name: 'app-config' }, expect: { data: { LOG_LEVEL: { $regex: '^bob-config-lab-' } } } });
    expect(task.checks[1]).toMatchObject({ unchanged: { namespace: 'bob-config-other', paths: ['data.password'] } });
    expect(task.checks[2]).toMatchObject({ expect: { data: { password: 'czNjcmV0' } } });
    expect(task.solution).toBe('kubectl -n bob-config-lab create configmap app-config --from-literal=LOG_LEVEL=x');
    expect(task.wrongSolutions[0]?.script).toBe('kubectl -n bob-config-other create configmap app-config');
    expect(task.hints).toEqual(['Use --from-literal with LOG_LEVEL.']);
    // The rendered task carries the real namespaces and bound params, for setup and the default check namespace.
    expect(task.namespaces).toEqual({ ns: 'bob-config-lab', other: 'bob-config-other' });
    expect(task.params).toEqual({ cm: 'app-config', key: 'LOG_LEVEL', password: 's3cret' });
    expect(JSON.stringify(task)).not.toContain('{{');
  });

  it('renders drawn values where the canonical ones would be', () => {
    const task = configTask();
    const seed = Array.from({ length: 100 }, (_, i) => i).find((s) => bindValues(task, { seed: s }).cm !== 'app-config');
    if (seed === undefined) throw new Error('no seed draws a non-canonical cm');
    const { task: rendered, values } = renderTask(task, { seed });
    expect(rendered.checks[0]).toMatchObject({ object: { name: values.cm } });
    expect(rendered.solution).toContain(`create configmap ${values.cm} `);
  });

  it('does not change the task it is given', () => {
    const task = configTask();
    const before = structuredClone(task);
    renderTask(task, { prefix: 'x-', seed: 3 });
    expect(task).toEqual(before);
  });

  it('names the task, field and variable of an unknown variable', () => {
    const task = minimalTask({ id: 'bad-var', checks: [{ name: 'c', points: 1, object: { kind: 'Pod', name: 'web' }, expect: { metadata: { name: '{{ podName }}' } } }] });
    const error = renderError(task);
    expect(error.message).toBe('task bad-var: checks[0].expect.metadata.name: unknown template variable {{ podName }} (known: ns, workdir)');
    expect(error).toMatchObject({ taskId: 'bad-var', path: 'checks[0].expect.metadata.name', variable: 'podName' });
  });
});

describe('renderString', () => {
  const values = { ns: 'lab', name: 'héllo' };
  const where = { taskId: 't', path: ['solution'] };

  it('allows whitespace inside the braces', () => {
    expect(renderString('{{ns}} {{ ns }} {{  ns\t}}', values, where)).toBe('lab lab lab');
  });

  it('gives the millicore quantities on either side of one (what kubectl top may show), and refuses anything else', () => {
    const cpu = { ...values, cpu: '150m', mem: '180Mi' };
    expect(renderString('^({{cpu|minus1m}}|{{cpu}}|{{ cpu | plus1m }})$', cpu, where)).toBe('^(149m|150m|151m)$');
    expect(() => renderString('{{mem|plus1m}}', cpu, where)).toThrow(RenderError);
    expect(() => renderString('{{mem|plus1m}}', cpu, where)).toThrow('{{ mem | plus1m }}: needs a millicore quantity such as 150m, got "180Mi"');
    expect(() => renderString('{{zero|minus1m}}', { ...cpu, zero: '0m' }, where)).toThrow(RenderError);
  });

  it('encodes UTF-8 with the b64 filter', () => {
    expect(renderString('{{ name | b64 }}', values, where)).toBe(Buffer.from('héllo').toString('base64'));
    expect(renderString('{{name|b64}}', values, where)).toBe('aMOpbGxv');
  });

  it('rejects an unknown filter by name', () => {
    expect(() => renderString('{{ ns | upper }}', values, where)).toThrow('task t: solution: unknown filter "upper" in {{ ns | upper }} (filters: b64, minus1m, plus1m)');
  });

  it('leaves go-templates alone and turns \\{{ into a literal {{', () => {
    const s = "kubectl get po -o go-template='{{range .items}}{{.metadata.name}}\\{{end}}' -n {{ns}}";
    expect(renderString(s, values, where)).toBe("kubectl get po -o go-template='{{range .items}}{{.metadata.name}}{{end}}' -n lab");
  });

  it('does not render a value again', () => {
    expect(renderString('{{a}}', { a: '{{b}}', b: 'no' }, where)).toBe('{{b}}');
  });
});

describe('templateRefs', () => {
  it('finds names and filters, not escapes', () => {
    expect(templateRefs('\\{{ns}} {{ ns }} {{x|b64}}').map((r) => [r.name, r.filter])).toEqual([
      ['ns', undefined],
      ['x', 'b64'],
    ]);
  });
});

describe('one rule for rendering and lint', () => {
  it('refuses each variable or template problem lint reports, with the same words at the same path', () => {
    const cases = [
      minimalTask({ id: 'p-workdir', params: { workdir: '/tmp' } }),
      minimalTask({ id: 'p-ns', params: { ns: 'x' } }),
      minimalTask({ id: 'n-workdir', namespaces: { ns: 'a-lab', workdir: 'b-lab' } }),
      minimalTask({ id: 'filter', hints: ['{{ ns | upper }}'] }),
    ];
    for (const task of cases) {
      const problems = lintTask(task, `${task.id}.yaml`).map((p) => `task ${task.id}: ${p.path}: ${p.message}`);
      expect(problems).toContain(renderError(task).message);
    }
  });
});

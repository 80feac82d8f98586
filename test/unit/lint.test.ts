import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintCatalog, lintFiles, lintTask } from '../../tasks/lint.ts';
import { formatError, parseTaskSource } from '../../tasks/load.ts';
import { minimalTask, minimalTaskYaml } from './task-fixture.ts';

/** Lint problems as `path: message` (positions are tested separately, with a real file). */
const lint = (over: Record<string, unknown>) => lintTask(minimalTask(over), 'run-pod.yaml').map((p) => `${p.path}: ${p.message}`);

const podCheck = (name: string, expect: Record<string, unknown> = {}) => ({ name, points: 1, object: { kind: 'Pod', name: 'web' }, expect });

describe('lintTask', () => {
  it('finds nothing wrong with a minimal task', () => {
    expect(lint({})).toEqual([]);
  });

  it('reports an unknown template variable at its line:col, naming the known ones', () => {
    const text = minimalTaskYaml('run-pod').replace('run web --image=nginx', 'run {{pod}} --image=nginx'); // line 13
    const parsed = parseTaskSource(text, '/cat/run-pod.yaml');
    if (parsed.task === undefined) throw new Error('fixture does not load');
    const problems = lintTask(parsed.task, parsed.file, parsed.locate);
    expect(problems.map((p) => formatError(p, '/cat'))).toEqual([
      'run-pod.yaml:13:1 solution: unknown template variable {{pod}} (known: ns, workdir)',
    ]);
  });

  // Without a position lookup, problems are sorted by path.
  it('checks templates everywhere, including mapping keys, setup and hints', () => {
    expect(
      lint({
        params: { key: 'MODE' },
        checks: [podCheck('env', { data: { '{{ keey }}': 'x', '{{key}}': 'y' } })],
        setup: [{ file: { path: 'a.txt', content: '{{ ns | upper }}' } }],
        hints: ['see {{ns}', 'fine: {{ns}} {{workdir}} {{ key|b64 }}'],
      }),
    ).toEqual([
      'checks[0].expect.data["{{ keey }}"]: unknown template variable {{ keey }} (known: key, ns, workdir)',
      'hints[0]: malformed template "{{ns}": write {{ name }} or {{ name | b64 }} (\\{{ for a literal "{{")',
      'setup[0].file.content: unknown filter "upper" in {{ ns | upper }} (filters: b64, minus1m, plus1m)',
    ]);
  });

  it('leaves go-templates and escaped braces alone', () => {
    expect(lint({ solution: "kubectl -n {{ns}} get po -o go-template='{{range .items}}{{.metadata.name}}\\{{end}}'" })).toEqual([]);
  });

  it('requires the instructions to name the main namespace', () => {
    expect(lint({ instructions: 'Run a pod named web in namespace pod-lab.' })).toEqual([
      'instructions: the instructions never mention {{ns}}: tell the candidate which namespace to work in',
      'instructions: namespace pod-lab is written literally and would not get the candidate\'s prefix: write {{ns}}',
    ]);
  });

  it('checks params: canonical value among choices, no duplicate choices, no clashing names', () => {
    expect(
      lint({
        params: {
          image: { value: 'nginx:1.27', choices: ['nginx:1.25', 'nginx:1.26', 'nginx:1.25'] },
          ns: 'clash',
          workdir: 'x',
          nested: '{{ns}}-x',
          fine: { value: 'a', choices: ['a', 'b'] },
        },
      }),
    ).toEqual([
      'params.image.choices[2]: duplicate choice "nginx:1.25" makes it more likely than the others',
      'params.image.value: canonical value "nginx:1.27" is not among the choices: add it to choices or pick one of them',
      'params.nested: params are plain values: a template inside one is not rendered',
      'params.ns: param ns has the name of a namespace variable: rename one',
      'params.workdir: workdir is bound by the tool: rename this param',
    ]);
  });

  it('reports duplicate check names and duplicate wrong solution names', () => {
    expect(
      lint({
        checks: [podCheck('pod'), podCheck('image'), podCheck('pod')],
        wrongSolutions: [
          { name: 'nothing', script: 'true' },
          { name: 'nothing', script: 'kubectl -n {{ns}} run web --image=httpd' },
        ],
      }),
    ).toEqual([
      'checks[2].name: duplicate check name "pod": results are reported by name, give each a distinct one',
      'wrongSolutions[1].name: duplicate wrong solution name "nothing": give each a distinct name',
    ]);
  });

  it('reports expectation operator problems, validating the rendered expectation', () => {
    expect(
      lint({
        checks: [
          // `{{ns}}` inside a regex must not be read as a regex quantifier: it is rendered first.
          podCheck('ok', { metadata: { name: { $regex: '{{ns}}-.*' } } }),
          podCheck('bad', { spec: { replicas: { $gte: 'three' } } }),
          { name: 'list', points: 1, list: { kind: 'Pod' }, count: { $bogus: 1 } },
        ],
        setup: [{ wait: { kind: 'Pod', name: 'web', for: { status: { phase: { $oneOf: 'Running' } } } } }],
      }),
    ).toEqual([
      'checks[1].expect: spec.replicas: $gte needs a number, got three',
      'checks[2].count: unknown operator $bogus',
      expect.stringMatching(/^setup\[0\]\.wait\.for: status\.phase: .*\$oneOf/),
    ]);
  });

  it('reports custom checks missing from the registry, and their bad args, where they are written', () => {
    const problems = lintTask(
      minimalTask({
        checks: [
          { name: 'unknown', points: 1, custom: 'noSuchCheck' },
          { name: 'no args', points: 1, custom: 'serviceEndpoints', args: {} },
        ],
      }),
      'run-pod.yaml',
    );
    expect(problems.map((p) => p.path)).toEqual(['checks[0].custom', 'checks[1].args']);
    expect(problems[0]?.message).toMatch(/unknown custom check "noSuchCheck" \(known: .*serviceEndpoints/);
    expect(problems[1]?.message).toMatch(/service/);
  });

  it('reports namespaces written literally, where a prefix would not reach them', () => {
    expect(
      lint({
        namespaces: { ns: 'pod-lab', other: 'pod-other' },
        checks: [
          { name: 'gone', points: 1, absent: { kind: 'Pod', name: 'web', namespace: 'pod-other' } },
          { name: 'elsewhere', points: 1, absent: { kind: 'Pod', name: 'web', namespace: 'kube-system' } },
          { name: 'ok', points: 1, absent: { kind: 'Pod', name: 'old', namespace: '{{other}}' } },
          podCheck('meta', { metadata: { namespace: 'pod-lab' } }),
        ],
        setup: [{ apply: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: pod-other\n' }],
        solution: 'kubectl --namespace=pod-lab run web --image=nginx && kubectl -n {{ns}} get po',
      }),
    ).toEqual([
      "checks[0].absent.namespace: namespace pod-other is written literally and would not get the candidate's prefix: write {{other}}",
      "checks[1].absent.namespace: namespace kube-system is not one of the task's namespaces: declare it under namespaces and write its {{variable}}",
      "checks[3].expect.metadata.namespace: namespace pod-lab is written literally and would not get the candidate's prefix: write {{ns}}",
      "setup[0].apply: namespace pod-other is written literally and would not get the candidate's prefix: write {{other}}",
      "solution: namespace pod-lab is written literally and would not get the candidate's prefix: write {{ns}}",
    ]);
  });

  it('checks setup: relative file paths and manifests that are Kubernetes objects', () => {
    expect(
      lint({
        setup: [
          { file: { path: '../outside.yaml', content: 'x' } },
          { file: { path: 'inside/pod.yaml', content: 'x' } },
          { apply: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ns}}-cm\ndata:\n  a: "1"\n---\nkind: Pod\nmetadata: {name: x}\n' },
          { apply: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n spec: {}\n' },
        ],
      }),
    ).toEqual([
      'setup[0].file.path: "../outside.yaml" must be a relative path inside the task\'s working directory ({{workdir}})',
      'setup[2].apply: manifest document 2 is not a Kubernetes object: it needs apiVersion, kind and metadata.name',
      expect.stringMatching(/^setup\[3\]\.apply: manifest line 5:\d+: /),
    ]);
  });
});

describe('lintCatalog', () => {
  const root = mkdtempSync(join(tmpdir(), 'ckad-lint-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('combines load errors and lint problems, sorted by file and line', () => {
    const dir = join(root, 'catalog');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b-task.yaml'), minimalTaskYaml('b-task').replace('{{ns}} run', '{{nz}} run'));
    writeFileSync(join(dir, 'a-task.yaml'), minimalTaskYaml('a-task').replace('points: 1', 'points: 0'));
    writeFileSync(join(dir, 'c-task.yaml'), minimalTaskYaml('c-task'));
    expect(lintCatalog(dir).map((p) => formatError(p, dir))).toEqual([
      'a-task.yaml:10:5 checks[0].points: expected a positive number, got 0',
      'b-task.yaml:13:1 solution: unknown template variable {{nz}} (known: ns, workdir)',
    ]);
  });
});

describe('lintFiles (tasks lint PATH...)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ckad-lint-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (rel: string, text: string | Buffer): string => {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };

  it('finds duplicate ids across the files given', () => {
    const a = file('one/web.yaml', minimalTaskYaml('web'));
    const b = file('two/web-copy.yaml', minimalTaskYaml('web'));
    const c = file('two/web.yaml', minimalTaskYaml('web'));
    const problems = lintFiles([a, b, c]).map((p) => formatError(p, root));
    expect(problems).toEqual(expect.arrayContaining([
      `two/web.yaml:1:1 id: duplicate id web: already used by ${a}`,
      expect.stringMatching(/^two\/web-copy\.yaml:1:1 id: duplicate id web: already used by /),
    ]));
    expect(lintFiles([a])).toEqual([]);
    expect(lintFiles([a, a])).toEqual([]);
  });

  it('finds two tasks that set up the same namespace (they would clear each other in one exam)', () => {
    const a = file('ns/alpha.yaml', minimalTaskYaml('alpha'));
    const b = file('ns/beta.yaml', minimalTaskYaml('beta').replace('ns: beta-lab', 'ns: alpha-lab'));
    expect(lintFiles([a, b]).map((p) => formatError(p, root))).toEqual([
      "ns/beta.yaml:6:3 namespaces.ns: namespace alpha-lab is already task alpha's: two tasks drawn into one exam would clear each other's objects; give this task its own",
    ]);
    expect(lintFiles([a])).toEqual([]);
  });

  it('lints a directory given on the command line as a catalog', () => {
    expect(lintFiles([join(root, 'one')])).toEqual([]);
  });

  it('says in one line that a binary file is not a YAML text file', () => {
    const bin = file('bin/task.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x3a, 0x20, 0x0a, 0xff, 0xfe, 0x3a, 0x0a]));
    expect(lintFiles([bin]).map((p) => formatError(p, root))).toEqual(['bin/task.yaml not a YAML text file (binary content): give the path of a task file']);
    const latin1 = file('bin/latin1.yaml', Buffer.from('id: caf\xe9\n', 'latin1'));
    expect(lintFiles([latin1]).map((p) => p.message)).toEqual([expect.stringMatching(/^not a YAML text file/)]);
  });
});


// A minimal task that satisfies tasks/schema.ts exactly, as YAML text (for the loader) and as a parsed Task.
import { Task } from '../../tasks/schema.ts';

/** The smallest valid task file; `id` also names the namespace so fixtures differ. Line numbers matter to tests. */
export function minimalTaskYaml(id: string): string {
  return `id: ${id}
title: Run a pod
competency: workload-resources
minutes: 4
namespaces:
  ns: ${id}-lab
instructions: In namespace {{ns}}, run a pod named web with image nginx.
checks:
  - name: pod exists
    points: 1
    object: { kind: Pod, name: web }
    expect: { spec: { containers: [{ image: nginx }] } }
solution: kubectl -n {{ns}} run web --image=nginx
wrongSolutions:
  - name: nothing
    script: "true"
links:
  - https://kubernetes.io/docs/concepts/workloads/pods/
`;
}

/** A parsed minimal task; `over` replaces top-level fields before validation (defaults apply after). */
export function minimalTask(over: Record<string, unknown> = {}): Task {
  return Task.parse({
    id: 'run-pod',
    title: 'Run a pod',
    competency: 'workload-resources',
    minutes: 4,
    namespaces: { ns: 'pod-lab' },
    instructions: 'In namespace {{ns}}, run a pod named web with image nginx.',
    checks: [{ name: 'pod exists', points: 1, object: { kind: 'Pod', name: 'web' }, expect: { spec: { containers: [{ image: 'nginx' }] } } }],
    solution: 'kubectl -n {{ns}} run web --image=nginx',
    wrongSolutions: [{ name: 'nothing', script: 'true' }],
    links: ['https://kubernetes.io/docs/concepts/workloads/pods/'],
    ...over,
  });
}

// The labels and annotations ckad-lab puts on the namespaces it creates: the one table of their keys. A key
// can be both: a label to select by, and an annotation to read back exactly (label values are restricted).
//
//   every namespace of a task   labels      managed-by=ckad-lab, task=ID, prefix=P (or `none`), console=true*
//   a task's main namespace     annotations task, seed, prefix, values, baseline (how it was set up)
//   (* only on namespaces the exam console created)
//   everything a class creates  labels      class=NAME, candidate=NAME (cli/class/)

/** On every namespace ckad-lab creates; only namespaces carrying it are ever deleted. */
export const MANAGED_BY = { key: 'app.kubernetes.io/managed-by', value: 'ckad-lab' } as const;
export const MANAGED_SELECTOR = `${MANAGED_BY.key}=${MANAGED_BY.value}`;

/** ckad-lab's own keys. */
export const KEYS = {
  /** Label on each namespace of a task, annotation on its main one: the task id. */
  task: 'ckad-lab.dev/task',
  /**
   * Which session (candidate, exam, drill) a namespace belongs to: a label (`none` without a prefix), so
   * `kubectl get ns -l ckad-lab.dev/prefix=alice` finds them; an annotation on the main namespace, exact.
   */
  prefix: 'ckad-lab.dev/prefix',
  /** Label: set on namespaces the exam console created, so it can clear away those of finished sessions. */
  console: 'ckad-lab.dev/console',
  /** Annotation: the seed the task's values were drawn with. */
  seed: 'ckad-lab.dev/seed',
  /** Annotation: the task's rendered values, as JSON. */
  values: 'ckad-lab.dev/values',
  /** Annotation: the objects recorded after setup, for `unchanged` checks, as JSON. */
  baseline: 'ckad-lab.dev/baseline',
  /** Label on everything a class creates (cli/class/): the class name; `class delete` removes what carries it. */
  class: 'ckad-lab.dev/class',
  /** Label on everything a class creates for one candidate: the candidate's name. */
  candidate: 'ckad-lab.dev/candidate',
} as const;

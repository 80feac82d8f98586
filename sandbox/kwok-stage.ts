// A KWOK Stage object, its timing, and the selector pieces every stage is written with.

export const podRef = { apiGroup: 'v1', kind: 'Pod' };
export const nodeRef = { apiGroup: 'v1', kind: 'Node' };
export const alive = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
export const phase = (...values: string[]) => ({ key: '.status.phase', operator: 'In', values });
export const jqTrue = (key: string) => ({ key, operator: 'In', values: ['true'] });
/** Whether the object's condition `type` is True (`In`) or not (`NotIn`). */
export const condition = (type: string, operator: 'In' | 'NotIn') => ({ key: `.status.conditions.[] | select( .type == "${type}" ) | .status`, operator, values: ['True'] });

export type Stage = { apiVersion: string; kind: 'Stage'; metadata: { name: string }; spec: Record<string, unknown> };
export const stage = (name: string, spec: Record<string, unknown>): Stage => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name }, spec });
/**
 * KWOK waits a random time between `min` and `max` (its "jitter" is the upper bound, not an addition). A pod
 * is Running 0.3-0.6 s after it is scheduled: long enough that `kubectl get pods -w` and `rollout status` show
 * every phase, short enough that setting up an exam's rollouts stays within its start-up budget.
 */
export const delay = (min: number, max = min * 2) => ({ durationMilliseconds: min, jitterDurationMilliseconds: max });

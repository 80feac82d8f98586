// When a fake pod moves from one step of its life to the next: the stages KWOK applies to pods, as jq selectors
// over the pod. What its status then says is in pod-status.ts.
//
// Pod lifecycle, as a candidate sees it with `kubectl get pods -w`:
//   Pending (ContainerCreating)  ~0.25 s after scheduling, with a pod IP
//   -> Init: init containers complete                              ~0.5 s
//   -> Running, Ready                                              ~0.5 s
//   -> Completed (Succeeded)  for restartPolicy Never/OnFailure pods (Jobs), ~1.5 s after starting, unless
//      the command sleeps 10 s or more (`sleep 3600`, `sleep infinity`) or runs `tail -f`
// An image or tag missing from images.yaml: ErrImagePull, then ImagePullBackOff, and the pod stays Pending;
// fixing the image (a new pod, or `kubectl set image` on the pod) lets it start.
// A container whose command or args run `exit N` (N > 0) or `false` crashes: with restartPolicy Always it
// alternates Error/CrashLoopBackOff with a rising restart count; with Never the pod fails (a Job retries).
// Native sidecars (init containers with `restartPolicy: Always`) start with the init containers, stay Running
// and Ready beside the main containers (the pod is Ready only if they are), restart with a rising count if they
// crash (whatever the pod's restartPolicy), and are stopped when a Job's containers complete.
import { alive, condition, delay, jqTrue, phase, podRef, stage, type Stage } from './kwok-stage.ts';
import { CRASH_RE, initComplete, podCrash, podCrashRestart, POD_COMPLETE, POD_CREATE, podStart, pullFailure, sidecarCrash, sidecarRestart } from './pod-status.ts';

const LONG_RUNNING_RE = String.raw`sleep\s+([1-9][0-9]+|infinity)|tail\s+-f`;

/** The stages of a pod's life; `knownImages` are the images it can pull (every spelling, see known-images.ts). */
export function podStages(knownImages: string[]): Stage[] {
  const knownObject = `{${knownImages.map((i) => `${JSON.stringify(i)}:true`).join(',')}}`;
  const containers = '[.spec.containers[], (.spec.initContainers // [])[]]';
  const anyUnknown = `${knownObject} as $k | ${containers} | any(.[]; $k[.image] == null)`;
  const cmdline = `(((.command // []) + (.args // [])) | join(" "))`;
  const crashTest = `test("${CRASH_RE.replaceAll('\\', '\\\\')}")`;
  const anyCrashes = `[.spec.containers[] | ${cmdline} | ${crashTest}] | any`;
  // Native sidecars: init containers that keep running (and are restarted) beside the main containers.
  const sidecars = '((.spec.initContainers // [])[] | select(.restartPolicy == "Always"))';
  const initStatuses = '(.status.initContainerStatuses // [])[]';
  // Whether a container whose command crashes is in `state` (running: about to exit; waiting: in back-off).
  const crashingIn = (specs: string, statuses: string, state: string) => `[${specs} | select(${cmdline} | ${crashTest}) | .name] as $c | [${statuses} | select(.state.${state} != null) | .name] | any(. as $n | $c | any(. == $n))`;
  const longRunning = `[.spec.containers[] | ${cmdline} | test("${LONG_RUNNING_RE.replaceAll('\\', '\\\\')}")] | any`;
  // Go template helpers (sprig): is this container's image known, does it crash?
  const knownList = `{{ $known := list ${knownImages.map((i) => JSON.stringify(i)).join(' ')} }}`;
  // Evaluated with the container as `.`.
  const crashesTpl = () => `(regexMatch ${JSON.stringify(CRASH_RE)} (join " " (concat (default (list) .command) (default (list) .args))))`;


  return [
    stage('pod-create', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, { key: '.status.podIP', operator: 'DoesNotExist' }, { key: '.spec.nodeName', operator: 'Exists' }] },
      delay: delay(100, 200),
      next: { event: { type: 'Normal', reason: 'Pulling', message: 'Pulling image' }, statusTemplate: POD_CREATE },
    }),
    stage('pod-image-pull-error', {
      resourceRef: podRef,
      selector: {
        matchExpressions: [alive, phase('Pending'), { key: '.status.podIP', operator: 'Exists' }, jqTrue(anyUnknown), jqTrue(`[(.status.containerStatuses // [])[], ${initStatuses} | .state.waiting.reason] | any(. == "ErrImagePull" or . == "ImagePullBackOff") | not`)],
      },
      delay: delay(400, 800),
      next: { event: { type: 'Warning', reason: 'Failed', message: 'Failed to pull image: manifest unknown' }, statusTemplate: pullFailure(knownList, 'ErrImagePull') },
    }),
    stage('pod-image-pull-backoff', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Pending'), jqTrue(anyUnknown), jqTrue(`[(.status.containerStatuses // [])[], ${initStatuses} | .state.waiting.reason] | any(. == "ErrImagePull")`)] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image' }, statusTemplate: pullFailure(knownList, 'ImagePullBackOff') },
    }),
    stage('pod-init-containers-complete', {
      resourceRef: podRef,
      selector: {
        matchExpressions: [alive, phase('Pending'), { key: '.status.podIP', operator: 'Exists' }, { key: '.spec.initContainers', operator: 'Exists' }, jqTrue(`(${anyUnknown}) | not`), condition('Initialized', 'NotIn')],
      },
      delay: delay(200, 400),
      next: { event: { type: 'Normal', reason: 'Started', message: 'Init containers completed' }, statusTemplate: initComplete(crashesTpl) },
    }),
    stage('pod-start', {
      resourceRef: podRef,
      selector: {
        matchExpressions: [alive, phase('Pending'), { key: '.status.podIP', operator: 'Exists' }, jqTrue(`(${anyUnknown}) | not`), condition('Initialized', 'In')],
      },
      delay: delay(200, 400),
      next: { event: { type: 'Normal', reason: 'Started', message: 'Started container' }, statusTemplate: podStart(crashesTpl) },
    }),
    stage('pod-crash', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(crashingIn('.spec.containers[]', '(.status.containerStatuses // [])[]', 'running'))] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' }, statusTemplate: podCrash(crashesTpl) },
    }),
    stage('pod-crash-restart', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(`[.status.containerStatuses[] | .state.waiting.reason == "CrashLoopBackOff"] | any`)] },
      delay: delay(5000, 8000),
      next: { statusTemplate: podCrashRestart(crashesTpl) },
    }),
    // A crashing sidecar restarts whatever the pod's restartPolicy, like the kubelet does: a stage of its own.
    stage('pod-sidecar-crash', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(crashingIn(sidecars, initStatuses, 'running'))] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' }, statusTemplate: sidecarCrash(crashesTpl) },
    }),
    stage('pod-sidecar-restart', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(`[${initStatuses} | .state.waiting.reason == "CrashLoopBackOff"] | any`)] },
      delay: delay(5000, 8000),
      next: { statusTemplate: sidecarRestart(crashesTpl) },
    }),
    stage('pod-complete', {
      resourceRef: podRef,
      selector: {
        matchExpressions: [alive, phase('Running'), { key: '.spec.restartPolicy', operator: 'In', values: ['Never', 'OnFailure'] }, jqTrue(`(${longRunning}) | not`), jqTrue(`(${anyCrashes}) | not`)],
      },
      delay: delay(1500, 2500),
      next: { event: { type: 'Normal', reason: 'Completed', message: 'Container completed' }, statusTemplate: POD_COMPLETE },
    }),
    stage('pod-delete', {
      resourceRef: podRef,
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
      delay: delay(200, 500),
      next: { finalizers: { empty: true }, delete: true },
    }),
  ];
}

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
import { CRASH_RE, INIT_COMPLETE, POD_COMPLETE, POD_CRASH, POD_CRASH_RESTART, POD_CREATE, POD_START, pullFailure, SIDECAR_CRASH, SIDECAR_RESTART } from './pod-status.ts';

const LONG_RUNNING_RE = String.raw`sleep\s+([1-9][0-9]+|infinity)|tail\s+-f`;

/** jq's `test` with a regular expression written for Go (the same one the templates use). */
const jqTest = (re: string) => `test("${re.replaceAll('\\', '\\\\')}")`;
const CRASH_BACK_OFF = { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' };

/** The stages of a pod's life; `knownImages` are the images it can pull (every spelling, see known-images.ts). */
export function podStages(knownImages: string[]): Stage[] {
  const hasPodIP = { key: '.status.podIP', operator: 'Exists' };
  const knownObject = `{${knownImages.map((i) => `${JSON.stringify(i)}:true`).join(',')}}`;
  const containers = '[.spec.containers[], (.spec.initContainers // [])[]]';
  const anyUnknown = `${knownObject} as $k | ${containers} | any(.[]; $k[.image] == null)`;
  const allImagesKnown = jqTrue(`(${anyUnknown}) | not`);
  const cmdline = `(((.command // []) + (.args // [])) | join(" "))`;
  const crashTest = jqTest(CRASH_RE);
  const anyCrashes = `[.spec.containers[] | ${cmdline} | ${crashTest}] | any`;
  // Native sidecars: init containers that keep running (and are restarted) beside the main containers.
  const sidecars = '((.spec.initContainers // [])[] | select(.restartPolicy == "Always"))';
  const initStatuses = '(.status.initContainerStatuses // [])[]';
  const containerStatuses = '(.status.containerStatuses // [])[]';
  // Why each container waits, init containers included.
  const waitingReasons = `[${containerStatuses}, ${initStatuses} | .state.waiting.reason]`;
  // Whether a container whose command crashes is in `state` (running: about to exit; waiting: in back-off).
  const crashingIn = (specs: string, statuses: string, state: string) => `[${specs} | select(${cmdline} | ${crashTest}) | .name] as $c | [${statuses} | select(.state.${state} != null) | .name] | any(. as $n | $c | any(. == $n))`;
  const longRunning = `[.spec.containers[] | ${cmdline} | ${jqTest(LONG_RUNNING_RE)}] | any`;
  // The known images as a Go template (sprig) list, for the pull failure's `has .image $known`.
  const knownList = `{{ $known := list ${knownImages.map((i) => JSON.stringify(i)).join(' ')} }}`;

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
        matchExpressions: [alive, phase('Pending'), hasPodIP, jqTrue(anyUnknown), jqTrue(`${waitingReasons} | any(. == "ErrImagePull" or . == "ImagePullBackOff") | not`)],
      },
      delay: delay(400, 800),
      next: { event: { type: 'Warning', reason: 'Failed', message: 'Failed to pull image: manifest unknown' }, statusTemplate: pullFailure(knownList, 'ErrImagePull') },
    }),
    stage('pod-image-pull-backoff', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Pending'), jqTrue(anyUnknown), jqTrue(`${waitingReasons} | any(. == "ErrImagePull")`)] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image' }, statusTemplate: pullFailure(knownList, 'ImagePullBackOff') },
    }),
    stage('pod-init-containers-complete', {
      resourceRef: podRef,
      selector: {
        matchExpressions: [alive, phase('Pending'), hasPodIP, { key: '.spec.initContainers', operator: 'Exists' }, allImagesKnown, condition('Initialized', 'NotIn')],
      },
      delay: delay(200, 400),
      next: { event: { type: 'Normal', reason: 'Started', message: 'Init containers completed' }, statusTemplate: INIT_COMPLETE },
    }),
    stage('pod-start', {
      resourceRef: podRef,
      selector: {
        matchExpressions: [alive, phase('Pending'), hasPodIP, allImagesKnown, condition('Initialized', 'In')],
      },
      delay: delay(200, 400),
      next: { event: { type: 'Normal', reason: 'Started', message: 'Started container' }, statusTemplate: POD_START },
    }),
    stage('pod-crash', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(crashingIn('.spec.containers[]', containerStatuses, 'running'))] },
      delay: delay(1500, 2500),
      next: { event: CRASH_BACK_OFF, statusTemplate: POD_CRASH },
    }),
    stage('pod-crash-restart', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(`[.status.containerStatuses[] | .state.waiting.reason == "CrashLoopBackOff"] | any`)] },
      delay: delay(5000, 8000),
      next: { statusTemplate: POD_CRASH_RESTART },
    }),
    // A crashing sidecar restarts whatever the pod's restartPolicy, like the kubelet does: a stage of its own.
    stage('pod-sidecar-crash', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(crashingIn(sidecars, initStatuses, 'running'))] },
      delay: delay(1500, 2500),
      next: { event: CRASH_BACK_OFF, statusTemplate: SIDECAR_CRASH },
    }),
    stage('pod-sidecar-restart', {
      resourceRef: podRef,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(`[${initStatuses} | .state.waiting.reason == "CrashLoopBackOff"] | any`)] },
      delay: delay(5000, 8000),
      next: { statusTemplate: SIDECAR_RESTART },
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

// KWOK stages: how the sandbox's fake nodes and pods behave. Generated from sandbox/images.yaml so that the
// known-images list is data, not code.
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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { repositorySpellings } from '../graders/image.ts';

const ImagesFile = z.record(z.string(), z.array(z.union([z.string(), z.number()]).transform(String)));

/** Every way of writing each known image reference: `nginx:1.27`, `docker.io/library/nginx:1.27`, `nginx` for latest, ... */
export function knownImageSpellings(images: z.infer<typeof ImagesFile>): string[] {
  const out = new Set<string>();
  for (const [repo, tags] of Object.entries(images)) {
    // Docker Hub images: `nginx` = `library/nginx` = `docker.io/library/nginx` = `index.docker.io/...`, as grading reads them.
    for (const name of repositorySpellings(repo)) {
      for (const tag of tags) out.add(`${name}:${tag}`);
      if (tags.includes('latest')) out.add(name);
    }
  }
  return [...out].sort();
}

export function loadKnownImages(file = join(import.meta.dirname, 'images.yaml')): string[] {
  return knownImageSpellings(ImagesFile.parse(parse(readFileSync(file, 'utf8'))));
}

const CRASH_RE = String.raw`(^|[\s;&|])(exit\s+[1-9][0-9]*|false)(\s|;|$)`;
const LONG_RUNNING_RE = String.raw`sleep\s+([1-9][0-9]+|infinity)|tail\s+-f`;

const pod = { apiGroup: 'v1', kind: 'Pod' };
const node = { apiGroup: 'v1', kind: 'Node' };
const alive = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const phase = (...values: string[]) => ({ key: '.status.phase', operator: 'In', values });
const jqTrue = (key: string) => ({ key, operator: 'In', values: ['true'] });

type Stage = { apiVersion: string; kind: 'Stage'; metadata: { name: string }; spec: Record<string, unknown> };
const stage = (name: string, spec: Record<string, unknown>): Stage => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name }, spec });
/**
 * KWOK waits a random time between `min` and `max` (its "jitter" is the upper bound, not an addition). A pod
 * is Running 0.3-0.6 s after it is scheduled: long enough that `kubectl get pods -w` and `rollout status` show
 * every phase, short enough that setting up an exam's rollouts stays within its start-up budget.
 */
const delay = (min: number, max = min * 2) => ({ durationMilliseconds: min, jitterDurationMilliseconds: max });

export function buildStages(knownImages: string[]): Stage[] {
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
    stage('node-initialize', {
      resourceRef: node,
      selector: { matchExpressions: [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] }] },
      next: { statusTemplate: NODE_STATUS },
    }),
    stage('node-heartbeat', {
      resourceRef: node,
      selector: { matchExpressions: [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'In', values: ['True'] }] },
      delay: delay(20_000, 40_000),
      next: { statusTemplate: NODE_STATUS },
    }),
    stage('pod-create', {
      resourceRef: pod,
      selector: { matchExpressions: [alive, { key: '.status.podIP', operator: 'DoesNotExist' }, { key: '.spec.nodeName', operator: 'Exists' }] },
      delay: delay(100, 200),
      next: { event: { type: 'Normal', reason: 'Pulling', message: 'Pulling image' }, statusTemplate: POD_CREATE },
    }),
    stage('pod-image-pull-error', {
      resourceRef: pod,
      selector: {
        matchExpressions: [alive, phase('Pending'), { key: '.status.podIP', operator: 'Exists' }, jqTrue(anyUnknown), jqTrue(`[(.status.containerStatuses // [])[], ${initStatuses} | .state.waiting.reason] | any(. == "ErrImagePull" or . == "ImagePullBackOff") | not`)],
      },
      delay: delay(400, 800),
      next: { event: { type: 'Warning', reason: 'Failed', message: 'Failed to pull image: manifest unknown' }, statusTemplate: pullFailure(knownList, 'ErrImagePull') },
    }),
    stage('pod-image-pull-backoff', {
      resourceRef: pod,
      selector: { matchExpressions: [alive, phase('Pending'), jqTrue(anyUnknown), jqTrue(`[(.status.containerStatuses // [])[], ${initStatuses} | .state.waiting.reason] | any(. == "ErrImagePull")`)] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image' }, statusTemplate: pullFailure(knownList, 'ImagePullBackOff') },
    }),
    stage('pod-init-containers-complete', {
      resourceRef: pod,
      selector: {
        matchExpressions: [alive, phase('Pending'), { key: '.status.podIP', operator: 'Exists' }, { key: '.spec.initContainers', operator: 'Exists' }, jqTrue(`(${anyUnknown}) | not`), { key: '.status.conditions.[] | select( .type == "Initialized" ) | .status', operator: 'NotIn', values: ['True'] }],
      },
      delay: delay(200, 400),
      next: { event: { type: 'Normal', reason: 'Started', message: 'Init containers completed' }, statusTemplate: initComplete(crashesTpl) },
    }),
    stage('pod-start', {
      resourceRef: pod,
      selector: {
        matchExpressions: [alive, phase('Pending'), { key: '.status.podIP', operator: 'Exists' }, jqTrue(`(${anyUnknown}) | not`), { key: '.status.conditions.[] | select( .type == "Initialized" ) | .status', operator: 'In', values: ['True'] }],
      },
      delay: delay(200, 400),
      next: { event: { type: 'Normal', reason: 'Started', message: 'Started container' }, statusTemplate: podStart(crashesTpl) },
    }),
    stage('pod-crash', {
      resourceRef: pod,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(crashingIn('.spec.containers[]', '(.status.containerStatuses // [])[]', 'running'))] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' }, statusTemplate: podCrash(crashesTpl) },
    }),
    stage('pod-crash-restart', {
      resourceRef: pod,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(`[.status.containerStatuses[] | .state.waiting.reason == "CrashLoopBackOff"] | any`)] },
      delay: delay(5000, 8000),
      next: { statusTemplate: podCrashRestart(crashesTpl) },
    }),
    // A crashing sidecar restarts whatever the pod's restartPolicy, like the kubelet does: a stage of its own.
    stage('pod-sidecar-crash', {
      resourceRef: pod,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(crashingIn(sidecars, initStatuses, 'running'))] },
      delay: delay(1500, 2500),
      next: { event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' }, statusTemplate: sidecarCrash(crashesTpl) },
    }),
    stage('pod-sidecar-restart', {
      resourceRef: pod,
      selector: { matchExpressions: [alive, phase('Running'), jqTrue(`[${initStatuses} | .state.waiting.reason == "CrashLoopBackOff"] | any`)] },
      delay: delay(5000, 8000),
      next: { statusTemplate: sidecarRestart(crashesTpl) },
    }),
    stage('pod-complete', {
      resourceRef: pod,
      selector: {
        matchExpressions: [alive, phase('Running'), { key: '.spec.restartPolicy', operator: 'In', values: ['Never', 'OnFailure'] }, jqTrue(`(${longRunning}) | not`), jqTrue(`(${anyCrashes}) | not`)],
      },
      delay: delay(1500, 2500),
      next: { event: { type: 'Normal', reason: 'Completed', message: 'Container completed' }, statusTemplate: POD_COMPLETE },
    }),
    stage('pod-delete', {
      resourceRef: pod,
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
      delay: delay(200, 500),
      next: { finalizers: { empty: true }, delete: true },
    }),
  ];
}

export function stagesYaml(knownImages = loadKnownImages()): string {
  return buildStages(knownImages).map((s) => stringify(s, { lineWidth: 0 })).join('---\n');
}


/**
 * The four pod conditions. `ready` is a YAML scalar or a Go-template expression yielding one; `reason` is given
 * to Ready and ContainersReady when they are false, and cleared (null) otherwise: status updates are merged, so
 * a reason left from ContainerCreating would otherwise stay on a Ready pod.
 */
const podConditions = (o: { initialized: string; ready: string; reason?: string }) => `conditions:
- type: PodScheduled
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Initialized
  status: ${o.initialized}
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: ${o.ready}
  reason: ${o.reason ?? 'null'}
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: ${o.ready}
  reason: ${o.reason ?? 'null'}
  lastTransitionTime: {{ $now | Quote }}`;

/** Inside `range` over containers: the status of a container that has not started (yet). */
const NOT_STARTED = `- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: false
  restartCount: 0
  started: false`;

/** Inside `range .spec.containers` (with `$root` the pod): this container's current restart count. */
const RESTARTS = `{{ $name := .name }}
{{ $restarts := 0 }}
{{ range $root.status.containerStatuses }}{{ if eq .name $name }}{{ $restarts = .restartCount }}{{ end }}{{ end }}`;

const NODE_STATUS = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}
addresses:
- address: "127.0.0.1"
  type: InternalIP
- address: {{ .metadata.name | Quote }}
  type: Hostname
{{ with NodePort }}
daemonEndpoints:
  kubeletEndpoint:
    Port: {{ . }}
{{ end }}
allocatable:
  cpu: "8"
  memory: 32Gi
  pods: "110"
  ephemeral-storage: 100Gi
capacity:
  cpu: "8"
  memory: 32Gi
  pods: "110"
  ephemeral-storage: 100Gi
nodeInfo:
  architecture: amd64
  containerRuntimeVersion: "kwok://{{ Version }}"
  kernelVersion: "6.1.0-kwok"
  kubeProxyVersion: ""
  kubeletVersion: {{ or .status.nodeInfo.kubeletVersion "v1.35.4" | Quote }}
  operatingSystem: linux
  osImage: "ckad-lab sandbox (KWOK)"
  bootID: ""
  machineID: ""
  systemUUID: ""
phase: Running
`;

const POD_CREATE = `{{ $now := Now }}
${podConditions({ initialized: '{{ if .spec.initContainers }}"False"{{ else }}"True"{{ end }}', ready: '"False"', reason: 'ContainersNotReady' })}
{{ if .spec.initContainers }}
initContainerStatuses:
{{ range .spec.initContainers }}
${NOT_STARTED}
  state:
    waiting:
      reason: PodInitializing
{{ end }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
${NOT_STARTED}
  state:
    waiting:
      reason: {{ if $.spec.initContainers }}PodInitializing{{ else }}ContainerCreating{{ end }}
{{ end }}
hostIP: "127.0.0.1"
hostIPs:
- ip: "127.0.0.1"
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Pending
startTime: {{ $now | Quote }}
`;

const pullFailure = (knownList: string, reason: string) => `${knownList}
containerStatuses:
{{ range .spec.containers }}
${NOT_STARTED}
  state:
    waiting:
      {{ if has .image $known }}
      reason: ContainerCreating
      {{ else }}
      reason: ${reason}
      message: {{ printf "${reason === 'ErrImagePull' ? 'failed to pull and unpack image \\"%s\\": not found' : 'Back-off pulling image \\"%s\\"'}" .image | Quote }}
      {{ end }}
{{ end }}
{{ if .spec.initContainers }}
initContainerStatuses:
{{ range .spec.initContainers }}
${NOT_STARTED}
  state:
    waiting:
      {{ if has .image $known }}
      reason: PodInitializing
      {{ else }}
      reason: ${reason}
      {{ end }}
{{ end }}
{{ end }}
phase: Pending
`;

/** Evaluated with a container of `.spec.initContainers` as `.`: is it a native sidecar? */
const IS_SIDECAR = `(eq (default "" .restartPolicy) "Always")`;
/** Inside `range .spec.initContainers` (with `$root` the pod): `$name`, and `$st`, this container's current status (or empty). */
const INIT_STATUS = `{{ $name := .name }}
{{ $st := dict }}
{{ range $root.status.initContainerStatuses }}{{ if eq .name $name }}{{ $st = . }}{{ end }}{{ end }}`;
const IMAGE_ID = `{{ printf "%s@sha256:0000000000000000000000000000000000000000000000000000000000000000" .image | Quote }}`;

/**
 * Init containers done: plain ones have completed (exit 0, ready, as the kubelet reports them), native sidecars
 * have started and keep running, Ready unless their command crashes.
 */
const initComplete = (crashes: () => string) => `{{ $now := Now }}
${podConditions({ initialized: '"True"', ready: '"False"', reason: 'ContainersNotReady' })}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ${IMAGE_ID}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  restartCount: 0
  {{ if ${IS_SIDECAR} }}
  ready: {{ if ${crashes()} }}false{{ else }}true{{ end }}
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
  {{ else }}
  ready: true
  started: false
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  {{ end }}
{{ end }}
phase: Pending
`;

/** The init container statuses once the pod has finished: sidecars are stopped, the rest stay as they were. */
const SIDECARS_STOPPED = `{{ if .spec.initContainers }}
initContainerStatuses:
{{ range .spec.initContainers }}
${INIT_STATUS}
{{ if ${IS_SIDECAR} }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ${IMAGE_ID}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: false
  started: false
  restartCount: {{ default 0 $st.restartCount }}
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ else if $st }}
- {{ toJson $st }}
{{ end }}
{{ end }}
{{ end }}`;

/**
 * A crashing sidecar that is running exits (Error) and waits in CrashLoopBackOff with one more restart, or
 * (`restart`) one waiting in CrashLoopBackOff runs again; every other init container keeps its status.
 */
const sidecarStep = (crashes: () => string, restart: boolean) => `{{ $now := Now }}
{{ $root := . }}
${restart ? '' : podConditions({ initialized: '"True"', ready: '"False"', reason: 'ContainersNotReady' })}
initContainerStatuses:
{{ range .spec.initContainers }}
${INIT_STATUS}
{{ if and ${IS_SIDECAR} ${crashes()} (hasKey (default (dict) $st.state) "${restart ? 'waiting' : 'running'}") }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ${IMAGE_ID}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: false
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  ${
    restart
      ? `started: true
  restartCount: {{ default 0 $st.restartCount }}
  state:
    running:
      startedAt: {{ $now | Quote }}`
      : `started: false
  restartCount: {{ add1 (default 0 $st.restartCount) }}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off restarting failed container %s" .name | Quote }}`
  }
{{ else if $st }}
- {{ toJson $st }}
{{ end }}
{{ end }}
`;
const sidecarCrash = (crashes: () => string) => sidecarStep(crashes, false);
const sidecarRestart = (crashes: () => string) => sidecarStep(crashes, true);

const podStart = (crashes: () => string) => `{{ $now := Now }}
{{ $ready := true }}
{{ range .spec.containers }}{{ if ${crashes()} }}{{ $ready = false }}{{ end }}{{ end }}
{{ range .spec.initContainers }}{{ if and ${IS_SIDECAR} ${crashes()} }}{{ $ready = false }}{{ end }}{{ end }}
${podConditions({ initialized: '"True"', ready: '{{ if $ready }}"True"{{ else }}"False"{{ end }}' })}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ${IMAGE_ID}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: {{ if ${crashes()} }}false{{ else }}true{{ end }}
  restartCount: 0
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
phase: Running
`;

// The container statuses of a crashing pod, keyed by container name (the status list may not be in spec order).
const podCrash = (crashes: () => string) => `{{ $now := Now }}
{{ $root := . }}
{{ if eq .spec.restartPolicy "Always" }}
${podConditions({ initialized: '"True"', ready: '"False"', reason: 'ContainersNotReady' })}
containerStatuses:
{{ range .spec.containers }}
${RESTARTS}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  containerID: {{ printf "kwok://%s" .name | Quote }}
  {{ if ${crashes()} }}
  ready: false
  started: false
  restartCount: {{ add1 $restarts }}
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off restarting failed container %s" .name | Quote }}
  {{ else }}
  ready: true
  started: true
  restartCount: {{ $restarts }}
  state:
    running:
      startedAt: {{ $now | Quote }}
  {{ end }}
{{ end }}
phase: Running
{{ else }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: {{ if ${crashes()} }}1{{ else }}0{{ end }}
      reason: {{ if ${crashes()} }}Error{{ else }}Completed{{ end }}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
${SIDECARS_STOPPED}
conditions:
- type: Ready
  status: "False"
  reason: PodFailed
  lastTransitionTime: {{ $now | Quote }}
phase: Failed
{{ end }}
`;

const podCrashRestart = (crashes: () => string) => `{{ $now := Now }}
{{ $root := . }}
containerStatuses:
{{ range .spec.containers }}
${RESTARTS}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  containerID: {{ printf "kwok://%s" .name | Quote }}
  restartCount: {{ $restarts }}
  {{ if ${crashes()} }}
  ready: false
  started: true
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  {{ else }}
  ready: true
  started: true
  {{ end }}
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
phase: Running
`;

const POD_COMPLETE = `{{ $now := Now }}
{{ $root := . }}
${SIDECARS_STOPPED}
${podConditions({ initialized: '"True"', ready: '"False"', reason: 'PodCompleted' })}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
phase: Succeeded
`;

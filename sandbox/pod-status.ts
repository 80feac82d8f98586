// What a fake pod's status becomes at each stage of its life: the Go templates (with sprig) KWOK renders into
// the pod's status, one per stage in pod-stages.ts. The pieces below are shared by several stages; each keeps
// the indentation of the place it stands in, since the rendered template is read as YAML.

/** A command or args that run `exit N` (N > 0) or `false`: the container crashes. */
export const CRASH_RE = String.raw`(^|[\s;&|])(exit\s+[1-9][0-9]*|false)(\s|;|$)`;
/** Evaluated with a container as `.`: does its command crash? */
const CRASHES = `(regexMatch ${JSON.stringify(CRASH_RE)} (join " " (concat (default (list) .command) (default (list) .args))))`;
/** Evaluated with a container as `.`: Ready unless its command crashes. */
const READY_UNLESS_CRASHES = `{{ if ${CRASHES} }}false{{ else }}true{{ end }}`;

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
/** Initialized, but some container is not ready. */
const CONTAINERS_NOT_READY = podConditions({ initialized: '"True"', ready: '"False"', reason: 'ContainersNotReady' });

/** Inside `range` over containers: the status of a container that has not started (yet), waiting as `waiting` says. */
const notStarted = (waiting: string) => `- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: false
  restartCount: 0
  started: false
  state:
    waiting:
${waiting}`;

/** Inside `range` over containers: the first lines of a started container's status, with its image ID. */
const startedContainer = (imageID: string) => `- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ${imageID}
  containerID: {{ printf "kwok://%s" .name | Quote }}`;
const IMAGE_ID = `{{ printf "%s@sha256:0000000000000000000000000000000000000000000000000000000000000000" .image | Quote }}`;

/** Under `state:` or `lastState:`: the container exited just now. */
const terminated = (exitCode: string, reason: string) => `    terminated:
      exitCode: ${exitCode}
      reason: ${reason}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}`;
const COMPLETED = `  state:
${terminated('0', 'Completed')}`;
const LAST_EXITED_WITH_ERROR = `  lastState:
${terminated('1', 'Error')}`;
const RUNNING = `  state:
    running:
      startedAt: {{ $now | Quote }}`;
const CRASH_LOOP_BACK_OFF = `  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off restarting failed container %s" .name | Quote }}`;

/** Inside `range .spec.containers` (with `$root` the pod): this container's current restart count. */
const RESTARTS = `{{ $name := .name }}
{{ $restarts := 0 }}
{{ range $root.status.containerStatuses }}{{ if eq .name $name }}{{ $restarts = .restartCount }}{{ end }}{{ end }}`;

export const POD_CREATE = `{{ $now := Now }}
${podConditions({ initialized: '{{ if .spec.initContainers }}"False"{{ else }}"True"{{ end }}', ready: '"False"', reason: 'ContainersNotReady' })}
{{ if .spec.initContainers }}
initContainerStatuses:
{{ range .spec.initContainers }}
${notStarted('      reason: PodInitializing')}
{{ end }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
${notStarted('      reason: {{ if $.spec.initContainers }}PodInitializing{{ else }}ContainerCreating{{ end }}')}
{{ end }}
hostIP: "127.0.0.1"
hostIPs:
- ip: "127.0.0.1"
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Pending
startTime: {{ $now | Quote }}
`;

/** A container whose image is not known fails to pull (`reason`); one whose image is known waits (`whenKnown`). */
const pullWaiting = (whenKnown: string, reason: string, message?: string) =>
  notStarted(`      {{ if has .image $known }}
      reason: ${whenKnown}
      {{ else }}
      reason: ${reason}${message ? `\n      message: ${message}` : ''}
      {{ end }}`);

export const pullFailure = (knownList: string, reason: string) => `${knownList}
containerStatuses:
{{ range .spec.containers }}
${pullWaiting('ContainerCreating', reason, `{{ printf "${reason === 'ErrImagePull' ? 'failed to pull and unpack image \\"%s\\": not found' : 'Back-off pulling image \\"%s\\"'}" .image | Quote }}`)}
{{ end }}
{{ if .spec.initContainers }}
initContainerStatuses:
{{ range .spec.initContainers }}
${pullWaiting('PodInitializing', reason)}
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
/** The init container statuses: those `which` selects become `status`, every other keeps the one it has. */
const initStatusesWhere = (which: string, status: string) => `initContainerStatuses:
{{ range .spec.initContainers }}
${INIT_STATUS}
{{ if ${which} }}
${status}
{{ else if $st }}
- {{ toJson $st }}
{{ end }}
{{ end }}`;

/**
 * Init containers done: plain ones have completed (exit 0, ready, as the kubelet reports them), native sidecars
 * have started and keep running, Ready unless their command crashes.
 */
export const INIT_COMPLETE = `{{ $now := Now }}
${CONTAINERS_NOT_READY}
initContainerStatuses:
{{ range .spec.initContainers }}
${startedContainer(IMAGE_ID)}
  restartCount: 0
  {{ if ${IS_SIDECAR} }}
  ready: ${READY_UNLESS_CRASHES}
  started: true
${RUNNING}
  {{ else }}
  ready: true
  started: false
${COMPLETED}
  {{ end }}
{{ end }}
phase: Pending
`;

/** The init container statuses once the pod has finished: sidecars are stopped, the rest stay as they were. */
const SIDECARS_STOPPED = `{{ if .spec.initContainers }}
${initStatusesWhere(
  IS_SIDECAR,
  `${startedContainer(IMAGE_ID)}
  ready: false
  started: false
  restartCount: {{ default 0 $st.restartCount }}
${COMPLETED}`,
)}
{{ end }}`;

/**
 * A crashing sidecar that is running exits (Error) and waits in CrashLoopBackOff with one more restart, or
 * (`restart`) one waiting in CrashLoopBackOff runs again; every other init container keeps its status.
 */
const sidecarStep = (restart: boolean) => `{{ $now := Now }}
{{ $root := . }}
${restart ? '' : CONTAINERS_NOT_READY}
${initStatusesWhere(
  `and ${IS_SIDECAR} ${CRASHES} (hasKey (default (dict) $st.state) "${restart ? 'waiting' : 'running'}")`,
  `${startedContainer(IMAGE_ID)}
  ready: false
${LAST_EXITED_WITH_ERROR}
${
  restart
    ? `  started: true
  restartCount: {{ default 0 $st.restartCount }}
${RUNNING}`
    : `  started: false
  restartCount: {{ add1 (default 0 $st.restartCount) }}
${CRASH_LOOP_BACK_OFF}`
}`,
)}
`;
export const SIDECAR_CRASH = sidecarStep(false);
export const SIDECAR_RESTART = sidecarStep(true);

export const POD_START = `{{ $now := Now }}
{{ $ready := true }}
{{ range .spec.containers }}{{ if ${CRASHES} }}{{ $ready = false }}{{ end }}{{ end }}
{{ range .spec.initContainers }}{{ if and ${IS_SIDECAR} ${CRASHES} }}{{ $ready = false }}{{ end }}{{ end }}
${podConditions({ initialized: '"True"', ready: '{{ if $ready }}"True"{{ else }}"False"{{ end }}' })}
containerStatuses:
{{ range .spec.containers }}
${startedContainer(IMAGE_ID)}
  ready: ${READY_UNLESS_CRASHES}
  restartCount: 0
  started: true
${RUNNING}
{{ end }}
phase: Running
`;

// The container statuses of a crashing pod, keyed by container name (the status list may not be in spec order).
export const POD_CRASH = `{{ $now := Now }}
{{ $root := . }}
{{ if eq .spec.restartPolicy "Always" }}
${CONTAINERS_NOT_READY}
containerStatuses:
{{ range .spec.containers }}
${RESTARTS}
${startedContainer('""')}
  {{ if ${CRASHES} }}
  ready: false
  started: false
  restartCount: {{ add1 $restarts }}
${LAST_EXITED_WITH_ERROR}
${CRASH_LOOP_BACK_OFF}
  {{ else }}
  ready: true
  started: true
  restartCount: {{ $restarts }}
${RUNNING}
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
${terminated(`{{ if ${CRASHES} }}1{{ else }}0{{ end }}`, `{{ if ${CRASHES} }}Error{{ else }}Completed{{ end }}`)}
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

export const POD_CRASH_RESTART = `{{ $now := Now }}
{{ $root := . }}
containerStatuses:
{{ range .spec.containers }}
${RESTARTS}
${startedContainer('""')}
  restartCount: {{ $restarts }}
  {{ if ${CRASHES} }}
  ready: false
  started: true
${LAST_EXITED_WITH_ERROR}
  {{ else }}
  ready: true
  started: true
  {{ end }}
${RUNNING}
{{ end }}
phase: Running
`;

export const POD_COMPLETE = `{{ $now := Now }}
{{ $root := . }}
${SIDECARS_STOPPED}
${podConditions({ initialized: '"True"', ready: '"False"', reason: 'PodCompleted' })}
containerStatuses:
{{ range .spec.containers }}
${startedContainer('""')}
  ready: false
  started: false
  restartCount: 0
${COMPLETED}
{{ end }}
phase: Succeeded
`;

// What a fake pod's status becomes at each stage of its life: the Go templates (with sprig) KWOK renders into
// the pod's status, one per stage in pod-stages.ts.

/** A command or args that run `exit N` (N > 0) or `false`: the container crashes. */
export const CRASH_RE = String.raw`(^|[\s;&|])(exit\s+[1-9][0-9]*|false)(\s|;|$)`;

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


export const POD_CREATE = `{{ $now := Now }}
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

export const pullFailure = (knownList: string, reason: string) => `${knownList}
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
export const initComplete = (crashes: () => string) => `{{ $now := Now }}
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
export const sidecarCrash = (crashes: () => string) => sidecarStep(crashes, false);
export const sidecarRestart = (crashes: () => string) => sidecarStep(crashes, true);

export const podStart = (crashes: () => string) => `{{ $now := Now }}
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
export const podCrash = (crashes: () => string) => `{{ $now := Now }}
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

export const podCrashRestart = (crashes: () => string) => `{{ $now := Now }}
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

export const POD_COMPLETE = `{{ $now := Now }}
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

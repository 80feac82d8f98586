// The sandbox's fake nodes: Ready once created, with 8 CPUs and 32 GiB each, and a heartbeat that keeps them so.
import { condition, delay, nodeRef, stage, type Stage } from './kwok-stage.ts';

export function nodeStages(): Stage[] {
  return [
    stage('node-initialize', {
      resourceRef: nodeRef,
      selector: { matchExpressions: [condition('Ready', 'NotIn')] },
      next: { statusTemplate: NODE_STATUS },
    }),
    stage('node-heartbeat', {
      resourceRef: nodeRef,
      selector: { matchExpressions: [condition('Ready', 'In')] },
      delay: delay(20_000, 40_000),
      next: { statusTemplate: NODE_STATUS },
    }),
  ];
}

/** What each node has, all of it allocatable (nothing is reserved for system daemons). */
const NODE_RESOURCES = `  cpu: "8"
  memory: 32Gi
  pods: "110"
  ephemeral-storage: 100Gi`;

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
${NODE_RESOURCES}
capacity:
${NODE_RESOURCES}
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

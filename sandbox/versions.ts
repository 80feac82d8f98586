// The versions of the sandbox's binaries. Bumping one rebuilds it once into a new cache directory.
export const VERSIONS = {
  /** k8s.io/kubernetes; its staging modules (k8s.io/api, ...) are used at v0.<minor>.<patch>. */
  kubernetes: 'v1.35.4',
  /** go.etcd.io/etcd/server/v3, run through a tiny wrapper around etcdmain. */
  etcd: 'v3.6.16',
  /** sigs.k8s.io/kwok: kwok (the node and pod simulator) and kwokctl (which runs the cluster). */
  kwok: 'v0.8.0',
  /** sigs.k8s.io/metrics-server: `kubectl top`, scraping the usage kwok simulates. */
  'metrics-server': 'v0.9.0',
  /** helm.sh/helm/v4: the candidate's `helm`, and what packages and indexes the lab's chart repository. */
  helm: 'v4.3.2',
} as const;

/** The binaries the sandbox needs, by the component that builds them. */
export const BINARIES = {
  kubernetes: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
  etcd: ['etcd'],
  kwok: ['kwok', 'kwokctl'],
  'metrics-server': ['metrics-server'],
  helm: ['helm'],
} as const;

export type Component = keyof typeof BINARIES;
export type BinaryName = (typeof BINARIES)[Component][number];
export const ALL_BINARIES: readonly BinaryName[] = Object.values(BINARIES).flat();
/**
 * The components a user's own binaries (CKAD_LAB_BIN_DIR, config.yaml) must cover; the rest (the toolbox around
 * the cluster) are built from Go modules when the user's directory lacks them.
 */
export const CONTROL_PLANE: readonly Component[] = ['kubernetes', 'etcd', 'kwok'];

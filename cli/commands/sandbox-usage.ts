// The sandbox commands' usage, apart from their code, so `--help` loads nothing else.
export const SANDBOX_USAGE = `ckad-lab sandbox <command>

  up        build the control plane once (cached), then start the sandbox; repairs a half-dead one
  status    components, API and nodes  [--json]
  env       shell lines: KUBECONFIG, Helm's config/cache/data homes (the "lab" chart repository), and the
            v1.35 kubectl and helm first on PATH  (eval "$(ckad-lab sandbox env)")
  reset     delete the namespaces ckad-lab created (labelled app.kubernetes.io/managed-by=ckad-lab), nothing else
            [--context NAME --allow-context NAME] to reset them on another cluster
  down      stop the sandbox, keeping its objects (up brings them back)
  destroy   stop the sandbox and delete it
  build     only build (or check) the cached binaries (control plane, metrics-server, helm)`;

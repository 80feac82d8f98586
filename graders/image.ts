// Container image references, normalised as the container runtime reads them: `nginx:1.28`,
// `library/nginx:1.28`, `docker.io/library/nginx:1.28` and `index.docker.io/library/nginx:1.28` are one image;
// no tag means `latest`. The one place that says so: image checks compare through it, and the sandbox's
// known-images list (sandbox/images.yaml) accepts exactly these spellings.

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io']);

/** Whether the first path component names a registry rather than a Docker Hub user (`localhost`, `a.b`, `a:5000`). */
const isRegistry = (component: string): boolean => component === 'localhost' || component.includes('.') || component.includes(':');

type Reference = { registry: string; repository: string; tag: string | undefined; digest: string | undefined };

function parseReference(ref: string): Reference {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let registry = DOCKER_HUB;
  let repository = rest;
  if (slash >= 0 && isRegistry(first)) {
    registry = DOCKER_HUB_ALIASES.has(first) ? DOCKER_HUB : first;
    repository = rest.slice(slash + 1);
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag, digest };
}

/**
 * The canonical form of an image reference: `nginx` -> `docker.io/library/nginx:latest`,
 * `kelseyhightower/hello:1.0.0` -> `docker.io/kelseyhightower/hello:1.0.0`; other registries are kept.
 */
export function normaliseImage(ref: string): string {
  const r = parseReference(ref);
  const tag = r.tag ?? (r.digest === undefined ? 'latest' : undefined);
  return `${r.registry}/${r.repository}${tag === undefined ? '' : `:${tag}`}${r.digest === undefined ? '' : `@${r.digest}`}`;
}

/** Whether two references name the same image. */
export const sameImage = (a: string, b: string): boolean => normaliseImage(a) === normaliseImage(b);

/**
 * Every way of writing `repository` (as images.yaml lists it, without a tag) that names the same image:
 * `nginx`, `library/nginx`, `docker.io/nginx`, `docker.io/library/nginx`, `index.docker.io/...`.
 */
export function repositorySpellings(repository: string): string[] {
  const r = parseReference(repository);
  if (r.registry !== DOCKER_HUB) return [repository];
  const paths = r.repository.startsWith('library/') ? [r.repository.slice('library/'.length), r.repository] : [r.repository];
  const out = new Set<string>([repository]);
  for (const path of paths) {
    out.add(path);
    for (const host of DOCKER_HUB_ALIASES) out.add(`${host}/${path}`);
  }
  return [...out];
}

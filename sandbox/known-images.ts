// The images the sandbox can "pull": sandbox/images.yaml (repository -> tags), in every spelling a pod spec
// may use. Any other image fails to pull (ErrImagePull, then ImagePullBackOff), as on a real cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
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

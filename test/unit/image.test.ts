// One normalisation of image references for grading and for the sandbox's pull simulation (issue 12 item 25).
import { describe, expect, it } from 'vitest';
import { normaliseImage, sameImage } from '../../graders/image.ts';
import { knownImageSpellings } from '../../sandbox/known-images.ts';

describe('normaliseImage', () => {
  it('reads references as the container runtime does', () => {
    expect(normaliseImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(normaliseImage('nginx:1.28')).toBe('docker.io/library/nginx:1.28');
    expect(normaliseImage('index.docker.io/library/nginx:1.28')).toBe('docker.io/library/nginx:1.28');
    expect(normaliseImage('kelseyhightower/hello:1.0.0')).toBe('docker.io/kelseyhightower/hello:1.0.0');
    expect(normaliseImage('registry.k8s.io/pause:3.10')).toBe('registry.k8s.io/pause:3.10');
    expect(normaliseImage('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(normaliseImage('nginx@sha256:abc')).toBe('docker.io/library/nginx@sha256:abc');
  });
});

describe('the sandbox accepts exactly the spellings grading treats as equal', () => {
  const images = { nginx: ['latest', '1.28'], 'kelseyhightower/hello': ['1.0.0'], 'registry.k8s.io/pause': ['3.10'] };
  const spellings = knownImageSpellings(images);

  it('every accepted spelling is the same image as a listed one', () => {
    const listed = Object.entries(images).flatMap(([repo, tags]) => tags.map((t) => `${repo}:${t}`));
    for (const s of spellings) expect(listed.some((l) => sameImage(l, s)), s).toBe(true);
  });

  it('every spelling grading accepts runs in the sandbox', () => {
    for (const s of ['nginx:1.28', 'library/nginx:1.28', 'docker.io/nginx:1.28', 'docker.io/library/nginx:1.28', 'index.docker.io/library/nginx:1.28', 'index.docker.io/nginx', 'docker.io/kelseyhightower/hello:1.0.0']) {
      expect(spellings).toContain(s);
    }
  });
});

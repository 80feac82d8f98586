// KWOK stages: how the sandbox's fake nodes and pods behave, as the YAML kwokctl is given. Generated from
// sandbox/images.yaml so that the known-images list is data, not code. Nodes: node-stages.ts; pods: pod-stages.ts
// (when each step happens) and pod-status.ts (what the pod's status then says).
import { stringify } from 'yaml';
import { loadKnownImages } from './known-images.ts';
import type { Stage } from './kwok-stage.ts';
import { nodeStages } from './node-stages.ts';
import { podStages } from './pod-stages.ts';

export function buildStages(knownImages: string[]): Stage[] {
  return [...nodeStages(), ...podStages(knownImages)];
}

export function stagesYaml(knownImages = loadKnownImages()): string {
  return buildStages(knownImages).map((s) => stringify(s, { lineWidth: 0 })).join('---\n');
}

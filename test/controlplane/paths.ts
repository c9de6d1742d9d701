import { join } from 'node:path';
import { projectRoot } from '../../src/local/project-root.js';

/** The upstream Argo CD and Flux CRDs, used from ../shared (never copied in). */
export function upstreamCrdDir(): string {
  return process.env.DEPOT_UPSTREAM_CRDS ?? join(projectRoot(), '..', 'shared', 'fixtures', 'crds');
}

// A released CRD version only grows: the CRDs the generator builds now only
// add to the released baseline (test/baseline/<version>/); see src/api/schema-compat.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../local/project-root.js';
import { buildCrd } from './crd.js';
import { KINDS } from './index.js';
import { compareCrds, type BreakingChange, type CrdShape } from './schema-compat.js';

const baselineDir = join(projectRoot(), 'test', 'baseline');
const current = new Map(KINDS.map((def) => [buildCrd(def).metadata.name, buildCrd(def) as CrdShape]));
const released = readdirSync(baselineDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(baselineDir, d.name)).map((f) => join(baselineDir, d.name, f)))
  .filter((f) => f.endsWith('.yaml'))
  .map((file) => ({ file, crd: parse(readFileSync(file, 'utf8')) as CrdShape }));

/**
 * Narrowings made on purpose inside v1alpha1, each with why it loses nothing
 * that worked. Keep this list short: a breaking change needs a new version.
 */
const ACCEPTED: { path: string; message: string; why: string }[] = [
  ...[
    'promotions.depot.sh v1alpha1 spec.after',
    'environments.depot.sh v1alpha1 spec.freeze.windows[].duration',
  ].map((path) => ({
    path,
    message: "duration(self) <= duration('8760h')",
    why:
      'Past 2.4e9h a duration overflowed into an invalid date and silently turned soaks and ' +
      'freezes off. Admission now bounds durations to a year; stored objects keep working (zod in the ' +
      'operator reports a longer one on the object, and CRD validation ratcheting lets unchanged ' +
      'fields through on update).',
  })),
  {
    path: 'applications.depot.sh v1alpha1 spec.compatibility[].requires.versions',
    message: '|(^[A-Za-z0-9][A-Za-z0-9._+:@/-]*$)',
    why:
      'A widening, not a narrowing. The new pattern is the old one (a semver range) or an exact ' +
      'opaque version, so every value admitted before is still admitted; an opaque application can now be ' +
      'required by exact version (opaque versions have no order, so no range can name them).',
  },
  {
    path: 'applications.depot.sh v1alpha1 spec.compatibility[].when',
    message: ' *)?v?(0|[1-9][0-9]*|[xX*])',
    why:
      'The same language, rewritten to run in linear time (issue 23): spaces after an operator belong ' +
      'to the comparator, spaces before one separate comparators; src/api/semver.property.test.ts ' +
      'checks generated ranges of the grammar.',
  },
  ...[
    'applications.depot.sh v1alpha1 spec.targets[*].argocd.applicationNamespace',
    'applications.depot.sh v1alpha1 spec.targets[*].argocd.applicationName',
    'applications.depot.sh v1alpha1 spec.targets[*].flux.patch.name',
    'applications.depot.sh v1alpha1 spec.targets[*].flux.patch.namespace',
    'targets.depot.sh v1alpha1 spec.delivery.argocd.applicationNamespace',
    'targets.depot.sh v1alpha1 spec.delivery.argocd.applicationName',
    'targets.depot.sh v1alpha1 spec.delivery.flux.patch.name',
    'targets.depot.sh v1alpha1 spec.delivery.flux.patch.namespace',
  ].map((path) => ({
    path,
    message: ".replace('${namespace}', 'a')",
    why:
      'Refuses only name templates that never render to a valid namespace or object name ("..", ' +
      '"${application}."): Kubernetes refused every delivery they named, or, for "." and "..", the ' +
      'request left the namespace (issue 22). CRD validation ratcheting lets unchanged stored objects ' +
      'through on update; the operator reports them on the Application (Ready=False).',
  })),
  ...['applications', 'environments', 'environmentsets', 'promotions', 'targets'].map((plural) => ({
    path: `${plural}.depot.sh v1alpha1 status`,
    message: 'new x-kubernetes-map-type "atomic"',
    why:
      'Changes only how the API server records who owns status fields (one managed-fields entry, ' +
      'f:status, instead of one per field): no object is refused or read differently. Only the ' +
      'operator writes status, whole, with merge patches; a server-side apply of status by another ' +
      'manager would now conflict on all of it rather than on single fields. It cut a status write of ' +
      "an Application by ~25 % of the API server's CPU (bench/status-write-cost.ts).",
  })),
];

const accepted = (change: BreakingChange) =>
  ACCEPTED.some((a) => change.path === a.path && change.message.includes(a.message));

test('there is a released baseline for every kind', () => {
  expect(new Set(released.map((r) => r.crd.metadata.name))).toEqual(new Set(current.keys()));
});

test.each(released.map((r) => [r.crd.metadata.name, r.crd] as const))(
  '%s only adds to the released schema',
  (name, crd) => {
    const now = current.get(name);
    expect(now).toBeDefined(); // a released kind is never removed
    expect(compareCrds(crd, now!).filter((change) => !accepted(change))).toEqual([]);
  },
);

test('every accepted narrowing is still one (the list does not outlive its reason)', () => {
  const changes = released.flatMap((r) => compareCrds(r.crd, current.get(r.crd.metadata.name)!));
  for (const a of ACCEPTED)
    expect(changes).toContainEqual({ path: a.path, message: expect.stringContaining(a.message) });
});

// References between the given objects: every name must resolve, and what it
// resolves to must fit (a version for an environment the application has, a
// delivery override of the target's own delivery kind).
import type { Application, Target } from '../../api/index.js';
import { nameKey, type Catalog, type Located } from './catalog.js';
import { lookup, problemAt, type Lookup } from './located.js';
import type { Problem } from './problem.js';

const missing = (kind: string, name: string) => `${kind} "${name}" is not defined in the given files`;

/** Whether an object of the kind exists (valid or not: an invalid one is reported on its own). */
type Exists = (namespace: string, name: string) => boolean;

export function checkReferences(catalog: Catalog): Problem[] {
  const exists =
    (kind: string): Exists =>
    (namespace, name) =>
      catalog.names.has(nameKey(kind, namespace, name));
  const env = exists('Environment');
  const problems: Problem[] = [];
  const lookups: Lookups = {
    env,
    set: lookup(catalog.environmentSets),
    setExists: exists('EnvironmentSet'),
    target: lookup(catalog.targets),
    targetExists: exists('Target'),
    app: lookup(catalog.applications),
    appExists: exists('Application'),
  };

  for (const s of catalog.environmentSets) {
    s.object.spec.environments.forEach((name, i) => {
      if (!env(s.namespace, name))
        problems.push(
          problemAt(s, 'EnvironmentSet', `spec.environments[${i}]`, missing('Environment', name)),
        );
    });
  }
  for (const t of catalog.targets) {
    const name = t.object.spec.environment;
    if (!env(t.namespace, name))
      problems.push(problemAt(t, 'Target', 'spec.environment', missing('Environment', name)));
  }
  for (const p of catalog.promotions) {
    for (const field of ['from', 'to'] as const) {
      const name = p.object.spec[field];
      if (!env(p.namespace, name))
        problems.push(problemAt(p, 'Promotion', `spec.${field}`, missing('Environment', name)));
    }
  }
  for (const a of catalog.applications) problems.push(...checkApplication(a, lookups));
  return problems;
}

interface Lookups {
  env: Exists;
  set: Lookup<{ spec: { environments: string[] } }>;
  setExists: Exists;
  target: Lookup<Target>;
  targetExists: Exists;
  app: Lookup<Application>;
  appExists: Exists;
}

function checkApplication(a: Located<Application>, l: Lookups): Problem[] {
  const problems: Problem[] = [];
  const { spec } = a.object;
  const report = (path: string, message: string) => problems.push(problemAt(a, 'Application', path, message));

  // The application's environments; only complete when every set resolved to a valid one.
  const environments = new Set<string>();
  let complete = true;
  (spec.environmentSets ?? []).forEach((name, i) => {
    const s = l.set(a.namespace, name);
    if (s) s.object.spec.environments.forEach((e) => environments.add(e));
    else complete = false;
    if (!l.setExists(a.namespace, name))
      report(`spec.environmentSets[${i}]`, missing('EnvironmentSet', name));
  });
  (spec.environments ?? []).forEach(({ name }, i) => {
    environments.add(name);
    if (!l.env(a.namespace, name)) report(`spec.environments[${i}].name`, missing('Environment', name));
  });
  const known = [...environments].join(', ') || 'none';

  if (complete) {
    for (const envName of Object.keys(spec.versions ?? {})) {
      if (!environments.has(envName)) {
        report(
          `spec.versions.${envName}`,
          `environment "${envName}" is not one of the application's environments (${known})`,
        );
      }
    }
  }

  (spec.compatibility ?? []).forEach((rule, i) => {
    const name = rule.requires.application;
    const path = `spec.compatibility[${i}].requires.application`;
    // Its versions against the required application's scheme: semantics.ts (the controller's check).
    if (!l.appExists(a.namespace, name)) report(path, missing('Application', name));
  });

  for (const [targetName, override] of Object.entries(spec.targets ?? {})) {
    const path = `spec.targets.${targetName}`;
    const t = l.target(a.namespace, targetName);
    if (!l.targetExists(a.namespace, targetName)) report(path, missing('Target', targetName));
    if (!t) continue;
    const targetEnv = t.object.spec.environment;
    if (complete && !environments.has(targetEnv)) {
      report(
        path,
        `Target "${targetName}" is in environment "${targetEnv}", which is not one of the application's environments (${known})`,
      );
    }
    const delivery = t.object.spec.delivery;
    if (override.argocd && !delivery.argocd)
      report(
        `${path}.argocd`,
        `Target "${targetName}" does not deliver with argocd, so this override has no effect`,
      );
    if (override.flux && !delivery.flux?.patch)
      report(
        `${path}.flux`,
        `Target "${targetName}" does not deliver with a flux patch, so this override has no effect`,
      );
  }
  return problems;
}

// Depot's own compatibility discipline: a released CRD version only grows
// (an object a released Depot accepted stays valid and means the same). Compares a released (baseline) CRD with the current one
// and lists every change that could reject or reinterpret an object the old
// schema accepted: a removed field, a narrowed type, a new required field, a
// new or changed default (old objects would read differently).
import type { JsonSchema } from './crd.js';

export interface BreakingChange {
  /** Where, e.g. `v1alpha1 spec.delivery.argocd.applicationName`. */
  path: string;
  message: string;
}

type Bound =
  | 'maxLength'
  | 'maxItems'
  | 'maxProperties'
  | 'maximum'
  | 'minLength'
  | 'minItems'
  | 'minProperties'
  | 'minimum';
const UPPER: Bound[] = ['maxLength', 'maxItems', 'maxProperties', 'maximum'];
const LOWER: Bound[] = ['minLength', 'minItems', 'minProperties', 'minimum'];
const FLAGS = ['nullable', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields'] as const;
const SAME = [
  'format',
  'pattern',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'default',
] as const;

/** Every narrowing change from `before` to `after` (an empty list when `after` only adds). */
export function compareSchemas(before: JsonSchema, after: JsonSchema, path = ''): BreakingChange[] {
  const out: BreakingChange[] = [];
  const at = path || '<root>';
  const report = (message: string) => out.push({ path: at, message });

  if (before.type !== after.type)
    report(`type changed from ${String(before.type ?? 'any')} to ${String(after.type ?? 'any')}`);
  for (const flag of FLAGS) if (before[flag] === true && after[flag] !== true) report(`${flag} removed`);
  for (const key of SAME) {
    if (before[key] === undefined && after[key] !== undefined)
      report(`new ${key} ${JSON.stringify(after[key])}`);
    else if (before[key] !== undefined && JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      report(`${key} changed from ${JSON.stringify(before[key])} to ${JSON.stringify(after[key])}`);
    }
  }

  const oldEnum = before.enum as unknown[] | undefined;
  const newEnum = after.enum as unknown[] | undefined;
  if (!oldEnum && newEnum) report(`new enum restriction ${JSON.stringify(newEnum)}`);
  if (oldEnum && newEnum) {
    const removed = oldEnum.filter((v) => !newEnum.some((n) => JSON.stringify(n) === JSON.stringify(v)));
    if (removed.length) report(`enum values removed: ${JSON.stringify(removed)}`);
  }

  for (const key of UPPER) {
    const [o, n] = [before[key] as number | undefined, after[key] as number | undefined];
    if (n !== undefined && (o === undefined || n < o))
      report(`${key} lowered from ${o ?? 'unbounded'} to ${n}`);
  }
  for (const key of LOWER) {
    const [o, n] = [(before[key] as number | undefined) ?? 0, (after[key] as number | undefined) ?? 0];
    if (n > o) report(`${key} raised from ${o} to ${n}`);
  }

  const oldRequired = new Set((before.required as string[] | undefined) ?? []);
  for (const name of (after.required as string[] | undefined) ?? []) {
    if (!oldRequired.has(name)) report(`new required field ${name}`);
  }

  const oldRules = new Set(rules(before));
  for (const rule of rules(after))
    if (!oldRules.has(rule)) report(`new validation rule ${JSON.stringify(rule)}`);

  const oldProps = (before.properties as Record<string, JsonSchema> | undefined) ?? {};
  const newProps = (after.properties as Record<string, JsonSchema> | undefined) ?? {};
  for (const [name, schema] of Object.entries(oldProps)) {
    const child = path ? `${path}.${name}` : name;
    const next = newProps[name];
    if (!next) out.push({ path: child, message: 'field removed' });
    else out.push(...compareSchemas(schema, next, child));
  }

  for (const key of ['items', 'additionalProperties'] as const) {
    const [o, n] = [before[key], after[key]];
    if (typeof o !== 'object' || o === null) continue;
    const child = `${path}${key === 'items' ? '[]' : '[*]'}`;
    if (typeof n !== 'object' || n === null) out.push({ path: child, message: `${key} removed` });
    else out.push(...compareSchemas(o as JsonSchema, n as JsonSchema, child));
  }
  return out;
}

function rules(schema: JsonSchema): string[] {
  return ((schema['x-kubernetes-validations'] as { rule: string }[] | undefined) ?? []).map((r) => r.rule);
}

/** The parts of a CustomResourceDefinition the comparison reads. */
export interface CrdShape {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: string[]; categories?: string[] };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema: JsonSchema } }[];
  };
}

/** Breaking changes between a released CRD and the current one (versions are never removed). */
export function compareCrds(before: CrdShape, after: CrdShape): BreakingChange[] {
  const out: BreakingChange[] = [];
  const crd = before.metadata.name;
  const same = (what: string, o: unknown, n: unknown) => {
    if (JSON.stringify(o) !== JSON.stringify(n))
      out.push({ path: crd, message: `${what} changed from ${JSON.stringify(o)} to ${JSON.stringify(n)}` });
  };
  same('group', before.spec.group, after.spec.group);
  same('scope', before.spec.scope, after.spec.scope);
  same('kind', before.spec.names.kind, after.spec.names.kind);
  same('plural', before.spec.names.plural, after.spec.names.plural);
  for (const list of ['shortNames', 'categories'] as const) {
    const removed = (before.spec.names[list] ?? []).filter(
      (n) => !(after.spec.names[list] ?? []).includes(n),
    );
    if (removed.length) out.push({ path: crd, message: `${list} removed: ${removed.join(', ')}` });
  }
  for (const version of before.spec.versions) {
    const next = after.spec.versions.find((v) => v.name === version.name);
    if (!next) {
      out.push({
        path: `${crd} ${version.name}`,
        message: 'version removed (released versions are never removed)',
      });
      continue;
    }
    if (version.served && !next.served)
      out.push({ path: `${crd} ${version.name}`, message: 'version no longer served' });
    const [o, n] = [version.schema?.openAPIV3Schema, next.schema?.openAPIV3Schema];
    if (o && n)
      out.push(...compareSchemas(o, n).map((c) => ({ ...c, path: `${crd} ${version.name} ${c.path}` })));
  }
  return out;
}

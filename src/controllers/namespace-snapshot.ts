// What a controller needs from the caches for one namespace: its Depot
// objects, parsed. An object that fails to parse is not absent: it is listed
// in `unreadable()` with its parse error (its own controller reports it on
// its status), so that nothing recorded for it is dropped as if it had been
// deleted.
import type { Application } from '../api/application.js';
import { ApplicationSchema } from '../api/application.js';
import type { EnvironmentSet } from '../api/environment-set.js';
import { EnvironmentSetSchema } from '../api/environment-set.js';
import type { Environment } from '../api/environment.js';
import { EnvironmentSchema } from '../api/environment.js';
import type { Promotion } from '../api/promotion.js';
import { PromotionSchema } from '../api/promotion.js';
import type { Target } from '../api/target.js';
import { TargetSchema } from '../api/target.js';
import type { UnreadableObjects } from '../core/application/resolution.js';
import type { InformerSource } from '../runtime/informer-factory.js';
import { formatIssues } from '../runtime/invalid-object.js';
import { safeParseOnce } from '../runtime/parse-once.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import { Applications, Environments, EnvironmentSets, Promotions, Targets } from '../api/resources.js';

interface Parser<T> {
  safeParse(v: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
      };
}

interface Parsed<T> {
  valid: T[];
  /** Name → the parse error, e.g. `spec.delivery: ...`. */
  unreadable: Map<string, string>;
}

/** The namespace's objects of a resource, parsed (once per version). */
export function parsed<T>(
  informers: InformerSource,
  resource: ResourceType,
  schema: Parser<T>,
  namespace: string,
): Parsed<T> {
  const out: Parsed<T> = { valid: [], unreadable: new Map() };
  // The same shared parse (once per object version) as the objects' own controllers.
  const parse = safeParseOnce<ReturnType<Parser<T>['safeParse']>>(schema);
  for (const o of informers.informer<KubeObject>(resource).list(namespace)) {
    const r = parse(o);
    if (r.success) out.valid.push(r.data);
    else out.unreadable.set(o.metadata?.name ?? '', formatIssues(r.error.issues));
  }
  return out;
}

const byName = <T extends { metadata: { name: string } }>(items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

export class NamespaceSnapshot {
  constructor(
    private readonly informers: InformerSource,
    readonly namespace: string,
  ) {}

  private readonly envs = this.load(Environments, EnvironmentSchema as Parser<Environment>);
  private readonly envSets = this.load(EnvironmentSets, EnvironmentSetSchema as Parser<EnvironmentSet>);
  private readonly targetList = this.load(Targets, TargetSchema as Parser<Target>);

  private load<T>(resource: ResourceType, schema: Parser<T>): () => Parsed<T> {
    let memo: Parsed<T> | undefined;
    return () => (memo ??= parsed(this.informers, resource, schema, this.namespace));
  }

  environments(): Map<string, Environment> {
    return byName(this.envs().valid);
  }

  sets(): Map<string, EnvironmentSet> {
    return byName(this.envSets().valid);
  }

  targets(): Target[] {
    return this.targetList().valid;
  }

  /** Objects that exist but do not parse, by kind and name, with the parse error. */
  unreadable(): UnreadableObjects {
    return {
      environments: this.envs().unreadable,
      sets: this.envSets().unreadable,
      targets: this.targetList().unreadable,
    };
  }

  applications(): Application[] {
    return parsed(this.informers, Applications, ApplicationSchema as Parser<Application>, this.namespace)
      .valid;
  }

  /** One Application, parsed; undefined when it is absent or does not parse (as applications() leaves it out). */
  application(name: string): Application | undefined {
    const o = this.informers.informer<KubeObject>(Applications).get(this.namespace, name);
    if (!o) return undefined;
    const r = safeParseOnce<ReturnType<Parser<Application>['safeParse']>>(
      ApplicationSchema as Parser<Application>,
    )(o);
    return r.success ? r.data : undefined;
  }

  promotions(): Promotion[] {
    return parsed(this.informers, Promotions, PromotionSchema as Parser<Promotion>, this.namespace).valid;
  }
}

/** Map function for secondary watches: every object of `resource` in the changed object's namespace. */
export function everyInNamespace(informers: InformerSource, resource: ResourceType) {
  return (obj: KubeObject) =>
    informers
      .informer<KubeObject>(resource)
      .list(obj.metadata?.namespace ?? '')
      .map((o) => ({ namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' }));
}

/** Names of every object of `resource` in the namespace (from the cache). */
export function namesInNamespace(
  informers: InformerSource,
  resource: ResourceType,
  namespace: string,
): Set<string> {
  return new Set(
    informers
      .informer<KubeObject>(resource)
      .list(namespace)
      .map((o) => o.metadata?.name ?? ''),
  );
}

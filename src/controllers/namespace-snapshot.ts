// What a controller needs from the caches for one namespace: its Depot
// objects, parsed; objects that fail to parse are skipped here (their own
// controller reports them on their status).
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
import type { InformerFactory } from '../runtime/informer-factory.js';
import type { KubeObject, ResourceType } from '../runtime/resource.js';
import { Applications, Environments, EnvironmentSets, Promotions, Targets } from './resources.js';

interface Parser<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false };
}

function parsed<T>(
  informers: InformerFactory,
  resource: ResourceType,
  schema: Parser<T>,
  namespace: string,
): T[] {
  return informers
    .informer<KubeObject>(resource)
    .list(namespace)
    .flatMap((o) => {
      const r = schema.safeParse(o);
      return r.success ? [r.data] : [];
    });
}

const byName = <T extends { metadata: { name: string } }>(items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

export class NamespaceSnapshot {
  constructor(
    private readonly informers: InformerFactory,
    readonly namespace: string,
  ) {}

  environments(): Map<string, Environment> {
    return byName(
      parsed(this.informers, Environments, EnvironmentSchema as Parser<Environment>, this.namespace),
    );
  }

  sets(): Map<string, EnvironmentSet> {
    return byName(
      parsed(this.informers, EnvironmentSets, EnvironmentSetSchema as Parser<EnvironmentSet>, this.namespace),
    );
  }

  targets(): Target[] {
    return parsed(this.informers, Targets, TargetSchema as Parser<Target>, this.namespace);
  }

  applications(): Application[] {
    return parsed(this.informers, Applications, ApplicationSchema as Parser<Application>, this.namespace);
  }

  promotions(): Promotion[] {
    return parsed(this.informers, Promotions, PromotionSchema as Parser<Promotion>, this.namespace);
  }
}

/** Map function for secondary watches: every object of `resource` in the changed object's namespace. */
export function everyInNamespace(informers: InformerFactory, resource: ResourceType) {
  return (obj: KubeObject) =>
    informers
      .informer<KubeObject>(resource)
      .list(obj.metadata?.namespace ?? '')
      .map((o) => ({ namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' }));
}

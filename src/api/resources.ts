// Depot's kinds as API resources (group, version, plural), for every client:
// the controllers' informers, the CLI, the HTTP API and the agent. Every
// status written for them is first fitted to the CRD's limits
// (status-limits.ts); informers keep only the managedFields that name the
// writers Depot reports (actor-fields.ts), and no kubectl last-applied copy.
import { composeTransforms, dropLastApplied } from '../kube/cache-transforms.js';
import { keepManagedFields } from '../kube/managed-fields.js';
import type { ResourceType } from '../kube/resource.js';
import { APPLICATION_ACTOR_FIELDS } from './actor-fields.js';
import { applicationKind } from './application.js';
import { environmentSetKind } from './environment-set.js';
import { environmentKind } from './environment.js';
import { promotionKind } from './promotion.js';
import type { KindDefinition } from './resource.js';
import { statusFitter } from './status-limits.js';
import { targetKind } from './target.js';

const depot = (def: KindDefinition): ResourceType => ({
  group: def.group,
  version: def.version,
  plural: def.plural,
  kind: def.kind,
  namespaced: true,
  fitStatus: statusFitter(def),
  cacheTransform: dropLastApplied,
});

export const Applications: ResourceType = {
  ...depot(applicationKind),
  cacheTransform: composeTransforms(dropLastApplied, keepManagedFields(APPLICATION_ACTOR_FIELDS)),
};
export const Environments = depot(environmentKind);
export const EnvironmentSets = depot(environmentSetKind);
export const Targets = depot(targetKind);
export const Promotions = depot(promotionKind);

export const DEPOT_RESOURCES = [Applications, Environments, EnvironmentSets, Targets, Promotions] as const;

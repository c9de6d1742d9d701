// Depot's kinds as the runtime addresses them. Every status written for them
// is first fitted to the CRD's limits (see core/status-limits.ts).
import { applicationKind } from '../api/application.js';
import { environmentSetKind } from '../api/environment-set.js';
import { environmentKind } from '../api/environment.js';
import { promotionKind } from '../api/promotion.js';
import type { KindDefinition } from '../api/resource.js';
import { targetKind } from '../api/target.js';
import { statusFitter } from '../core/status-limits.js';
import type { ResourceType } from '../runtime/resource.js';

const depot = (def: KindDefinition): ResourceType => ({
  group: def.group,
  version: def.version,
  plural: def.plural,
  kind: def.kind,
  namespaced: true,
  fitStatus: statusFitter(def),
});

export const Applications = depot(applicationKind);
export const Environments = depot(environmentKind);
export const EnvironmentSets = depot(environmentSetKind);
export const Targets = depot(targetKind);
export const Promotions = depot(promotionKind);

// Depot's API (group depot.sh, version v1alpha1): the five kinds, their
// schemas and types, and the registry the CRD generator and tools use.
import { applicationKind } from './application.js';
import { environmentSetKind } from './environment-set.js';
import { environmentKind } from './environment.js';
import { promotionKind } from './promotion.js';
import type { KindDefinition } from './resource.js';
import { targetKind } from './target.js';

export { API_VERSION, GROUP, VERSION } from './group.js';
export { CATEGORY, type KindDefinition, type PrinterColumn } from './resource.js';
export type { ParseResult } from './parse.js';
export type { ConditionProblem, FieldProblem } from './field-problem.js';
export { ConditionType, Reason, type Condition, type ConditionStatus } from './conditions.js';
export * from './application.js';
export * from './environment.js';
export * from './environment-set.js';
export * from './target.js';
export * from './promotion.js';
export * from './delivery.js';
export type { LabelSelector } from './selector.js';

/** Every Depot kind, in the order their CRDs are written. */
export const KINDS: readonly KindDefinition[] = [
  applicationKind,
  environmentKind,
  environmentSetKind,
  targetKind,
  promotionKind,
];

export type KindName = 'Application' | 'Environment' | 'EnvironmentSet' | 'Target' | 'Promotion';

export function kindByName(kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.kind === kind);
}

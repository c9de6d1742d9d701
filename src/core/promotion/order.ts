// Requirement order of a Promotion's writes: an application's new version is
// written after the new versions of the applications its rules require (core
// before dash), and the writes come in levels that may go out together.
import type { Application } from '../../api/application.js';
import { requirementOrder, sortByRequirements } from '../compatibility/order.js';

export interface PromotionWrite {
  application: string;
  version: string;
  /** Who approved this version (approval-gated Promotions). */
  approvedBy?: string;
}

/** Application → the applications its rules name. */
function requirementsOf(applications: readonly Application[]): (name: string) => string[] {
  const requires = new Map(
    applications.map((a) => [
      a.metadata.name,
      [...new Set((a.spec.compatibility ?? []).map((r) => r.requires.application))],
    ]),
  );
  return (name) => requires.get(name) ?? [];
}

/**
 * Orders writes so that an application comes after the ones it requires
 * (core before dash): a set of versions that only work together moves
 * together, in an order where each step can be evaluated. Applications in a
 * requirement cycle keep name order.
 */
export function orderByRequirements(
  writes: PromotionWrite[],
  applications: readonly Application[],
): PromotionWrite[] {
  const byName = new Map(writes.map((w) => [w.application, w]));
  const order = requirementOrder(byName.keys(), requirementsOf(applications));
  return sortByRequirements(byName.keys(), order).map((n) => byName.get(n)!);
}

/**
 * Writes (in requirement order) grouped in levels: each write comes in a
 * level after every write of an application it requires, so the writes of
 * one level may go out together while core still lands before dash.
 */
export function requirementLevels(
  ordered: readonly PromotionWrite[],
  applications: readonly Application[],
  needs: (app: string, required: string) => boolean = () => true,
): PromotionWrite[][] {
  const requires = requirementsOf(applications);
  const order = requirementOrder(
    ordered.map((w) => w.application),
    (name) => requires(name).filter((r) => needs(name, r)),
  );
  const levels: PromotionWrite[][] = [];
  for (const w of ordered) (levels[order.level.get(w.application)!] ??= []).push(w);
  return levels.filter((l) => l !== undefined);
}

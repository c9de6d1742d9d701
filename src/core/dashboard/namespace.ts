// One namespace's header in the dashboard: its columns and its Promotions.
import type { DashboardNamespace } from '../../api/dashboard.js';
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Promotion } from '../../api/promotion.js';
import { environmentColumns } from './columns.js';
import { dashboardPromotion } from './promotions.js';

export function dashboardNamespace(
  namespace: string,
  sets: readonly EnvironmentSet[],
  environments: readonly Environment[],
  promotions: readonly Promotion[],
): DashboardNamespace {
  return {
    namespace,
    environments: environmentColumns(sets, environments),
    promotions: promotions.map(dashboardPromotion).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

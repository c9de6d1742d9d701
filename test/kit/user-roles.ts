// The chart's ClusterRoles for Depot's users (templates/user-roles.yaml):
// their rules, for tests that give an identity exactly what the chart grants.
import type { V1PolicyRule } from '@kubernetes/client-node';
import { renderChart } from './helm.js';

export type UserRole = 'viewer' | 'editor' | 'agent';

export function userRoleRules(role: UserRole): V1PolicyRule[] {
  const name = `depot-operator-${role}`;
  const found = renderChart().find((o) => o.kind === 'ClusterRole' && o.metadata?.name === name);
  if (!found) throw new Error(`the chart renders no ClusterRole ${name}`);
  return (found as { rules: V1PolicyRule[] }).rules;
}

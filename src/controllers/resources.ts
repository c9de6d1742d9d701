// Depot's kinds as the runtime addresses them.
import { GROUP, VERSION } from '../api/group.js';
import type { ResourceType } from '../runtime/resource.js';

const depot = (kind: string, plural: string): ResourceType => ({
  group: GROUP,
  version: VERSION,
  plural,
  kind,
  namespaced: true,
});

export const Applications = depot('Application', 'applications');
export const Environments = depot('Environment', 'environments');
export const EnvironmentSets = depot('EnvironmentSet', 'environmentsets');
export const Targets = depot('Target', 'targets');
export const Promotions = depot('Promotion', 'promotions');

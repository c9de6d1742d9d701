// Depot's kinds as API resources (group, version, plural), for every client:
// the controllers' informers, the CLI, the HTTP API and the agent.
import type { ResourceType } from '../runtime/resource.js';
import { GROUP, VERSION } from './group.js';

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

export const DEPOT_RESOURCES = [Applications, Environments, EnvironmentSets, Targets, Promotions] as const;

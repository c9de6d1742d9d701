// Status conditions as in Kubernetes API conventions (metav1.Condition, same
// bounds), a list keyed by `type`.
import { z } from 'zod';
import { listMap } from './collections.js';
import { formatted, text } from './format.js';
import { timestamp } from './time.js';

export const ConditionSchema = z
  .strictObject({
    type: formatted(
      {
        pattern:
          '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
        maxLength: 316,
        message: 'must be a condition type such as Ready',
      },
      'Condition type in PascalCase, e.g. Ready, Compatible, Delivered.',
    ),
    status: z.enum(['True', 'False', 'Unknown']).meta({ description: 'True, False or Unknown.' }),
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'The .metadata.generation the condition was computed from.' }),
    lastTransitionTime: timestamp('When the status last changed.'),
    reason: formatted(
      {
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
        maxLength: 1024,
        message: 'must be one CamelCase word such as VersionBlocked',
      },
      'Machine-readable CamelCase reason for the last transition, e.g. RequirementNotMet.',
    ),
    message: text(32768, 'Human-readable details about the last transition.'),
  })
  .meta({ description: "One aspect of the object's state, per Kubernetes API conventions." });

export type Condition = z.infer<typeof ConditionSchema>;
export type ConditionStatus = Condition['status'];

/** `status.conditions`: one entry per type. */
export function conditionsSchema(types: string) {
  return listMap(ConditionSchema, ['type'], 32)
    .optional()
    .meta({ description: `Current state, one entry per condition type (${types}).` });
}

/** `status.observedGeneration`: the generation the status was computed from. */
export function observedGeneration() {
  return z.number().int().min(0).optional().meta({ description: 'The generation last reconciled.' });
}

/** The condition types Depot writes in status.conditions. */
export const ConditionType = {
  /** Every kind: its references resolve and its spec is usable (an agent Target: its agent polls). */
  Ready: 'Ready',
  /** Application: no request is held back by a compatibility rule, and the desired versions keep the rules. */
  Compatible: 'Compatible',
  /** Application: every target has its desired version. */
  Delivered: 'Delivered',
  /** Application: an environment runs a version that was rejected. */
  Rejected: 'Rejected',
  /** Application: its status was cut to fit its byte budget (oldest history entries, long messages). */
  StatusTrimmed: 'StatusTrimmed',
  /** Application: the API server refused its status as too large (over etcd's request limit). */
  StatusTooLarge: 'StatusTooLarge',
  /** Environment: one of its freeze windows is open. */
  Frozen: 'Frozen',
} as const;

/**
 * The reasons Depot's conditions give (one CamelCase word, as the schema
 * requires). A condition held back by a promotion gate carries the gate's
 * block reason instead (core/promotion).
 */
export const Reason = {
  // Ready, every kind.
  Ready: 'Ready',
  InvalidSpec: 'InvalidSpec',
  EnvironmentNotFound: 'EnvironmentNotFound',
  // Ready, Application: its environments and targets resolve.
  Resolved: 'Resolved',
  EnvironmentSetNotFound: 'EnvironmentSetNotFound',
  InvalidEnvironmentSet: 'InvalidEnvironmentSet',
  InvalidEnvironment: 'InvalidEnvironment',
  UnknownEnvironment: 'UnknownEnvironment',
  InvalidRejectedVersion: 'InvalidRejectedVersion',
  InvalidTarget: 'InvalidTarget',
  // Ready, Application: compatibility rules that cannot be evaluated.
  InvalidRange: 'InvalidRange',
  InvalidCompatibilityRule: 'InvalidCompatibilityRule',
  UnknownApplication: 'UnknownApplication',
  // Ready, Target with delivery: agent.
  AgentConnected: 'AgentConnected',
  AgentNotConnected: 'AgentNotConnected',
  AgentSilent: 'AgentSilent',
  // Ready and Frozen, Environment.
  InvalidFreezeWindow: 'InvalidFreezeWindow',
  FreezeWindow: 'FreezeWindow',
  NotFrozen: 'NotFrozen',
  // Compatible, Application.
  RequirementsMet: 'RequirementsMet',
  RulesBroken: 'RulesBroken',
  // Delivered, Application.
  Delivered: 'Delivered',
  DeliveryFailed: 'DeliveryFailed',
  DeliveryPending: 'DeliveryPending',
  // StatusTrimmed, Application.
  Trimmed: 'Trimmed',
  OverBudget: 'OverBudget',
  WithinBudget: 'WithinBudget',
  // StatusTooLarge, Application.
  RequestTooLarge: 'RequestTooLarge',
  // Rejected, Application.
  RejectedVersionRunning: 'RejectedVersionRunning',
  NoRejectedVersionRunning: 'NoRejectedVersionRunning',
} as const;

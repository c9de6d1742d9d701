// A Target's status: the delivery method in use, and Ready when its
// Environment exists and, for delivery: agent, when its agent has polled
// within the allowed silence. Pure: the time is passed in.
import type { Target, TargetStatus } from '../api/target.js';
import { formatDuration } from '../kube/duration.js';
import { setConditions, type ConditionInput } from '../kube/conditions.js';
import { deliveryKind } from './delivery.js';
import { ConditionType, Reason } from '../api/conditions.js';

/** How long an agent may be silent before its target is not Ready (--agent-silence). */
export const DEFAULT_AGENT_SILENCE_MS = 5 * 60_000;

export interface TargetInput {
  target: Target;
  /** Names of the namespace's Environments. */
  environments: ReadonlySet<string>;
  now: Date;
  agentSilenceMs?: number;
}

export function planTarget({ target, environments, now, agentSilenceMs }: TargetInput): TargetStatus {
  const env = target.spec.environment;
  const ready: ConditionInput = !environments.has(env)
    ? {
        type: ConditionType.Ready,
        status: 'False',
        reason: Reason.EnvironmentNotFound,
        message: `spec.environment: Environment "${env}" does not exist in namespace ${target.metadata.namespace}`,
      }
    : deliveryKind(target) === 'agent'
      ? agentReady(target, now, agentSilenceMs ?? DEFAULT_AGENT_SILENCE_MS)
      : {
          type: ConditionType.Ready,
          status: 'True',
          reason: Reason.Ready,
          message: `delivers to environment ${env}`,
        };
  const generation = target.metadata.generation;
  return {
    ...target.status,
    observedGeneration: generation,
    deliveryKind: deliveryKind(target),
    conditions: setConditions(target.status?.conditions, [ready], generation, now),
  };
}

function agentReady(target: Target, now: Date, silenceMs: number): ConditionInput {
  const agent = target.status?.agent;
  if (!agent)
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason: Reason.AgentNotConnected,
      message: `no depot agent has polled this target yet (run depot agent --target ${target.metadata.name} in its cluster)`,
    };
  if (now.getTime() - Date.parse(agent.lastContact) > silenceMs)
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason: Reason.AgentSilent,
      message: `no contact from agent for ${formatDuration(silenceMs)} (last contact ${agent.lastContact}${agent.version ? `, agent ${agent.version}` : ''})`,
    };
  return {
    type: ConditionType.Ready,
    status: 'True',
    reason: Reason.AgentConnected,
    message: `depot agent${agent.version ? ` ${agent.version}` : ''} polls this target`,
  };
}

/** When the target must be looked at again for its agent to turn silent; undefined if not an agent target in contact. */
export function agentRecheckAfterMs(
  target: Target,
  now: Date,
  silenceMs = DEFAULT_AGENT_SILENCE_MS,
): number | undefined {
  const last = target.status?.agent?.lastContact;
  if (deliveryKind(target) !== 'agent' || !last) return undefined;
  const left = Date.parse(last) + silenceMs - now.getTime();
  return left >= 0 ? left + 1_000 : undefined;
}

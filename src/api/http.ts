// The HTTP API's requests and responses (/api/v1), one zod schema each: the
// server validates request bodies and builds responses with them, the agent
// parses responses with them, and /api/v1/openapi.json is generated from them.
// Schemas only grow within v1 (fields are added, never removed or narrowed),
// so an older agent keeps reading a newer server's answers.
import { z } from 'zod';
import {
  CompatibilityRuleSchema,
  DeliveryStateSchema,
  HistoryEntrySchema,
  KnownVersionSchema,
} from './application.js';
import { DELIVERY_KINDS, DeliveryOverrideSchema } from './delivery.js';
import {
  PromotionHoldSchema,
  PromotionResultSchema,
  PromotionSummarySchema,
  PromotionVerificationSchema,
  VERIFY_ON_FAILURE,
} from './promotion.js';
import { formatted, text } from './format.js';
import { dnsLabel } from './names.js';
import { opaqueVersion } from './semver.js';

export const API_PREFIX = '/api/v1';
/** The protocol's major version (the path's v1). */
export const API_PROTOCOL = 1;

/** Request header: the version of the agent or client that sends it (also in its User-Agent). */
export const CLIENT_VERSION_HEADER = 'depot-client-version';
/** Response header: the version of the server that answers. */
export const SERVER_VERSION_HEADER = 'depot-server-version';

const version = (description: string) => formatted(opaqueVersion, description);
const name = (description: string) => formatted(dnsLabel, description);

export const SetVersionBodySchema = z
  .strictObject({
    version: version('The version to request, e.g. 1.12.1.'),
    force: z.boolean().optional().meta({ description: 'Deliver even during a freeze (recorded as Forced).' }),
  })
  .meta({ id: 'SetVersionBody', description: 'A requested version.' });

export const DeployedBodySchema = z
  .strictObject({ version: version('The version the target runs, e.g. 1.12.1.') })
  .meta({ id: 'DeployedBody', description: 'A deployed version reported for one target.' });

export const PromoteBodySchema = z
  .strictObject({
    from: name(
      'Source environment (default: the Promotion into this environment, else the previous one of the set).',
    ).optional(),
    force: z.boolean().optional().meta({ description: 'Deliver even during a freeze (recorded as Forced).' }),
  })
  .meta({ id: 'PromoteBody', description: 'A manual promotion; the body may be empty.' });

export const RollbackBodySchema = z
  .strictObject({
    to: version('The version to roll back to (default: the previous desired one in the history).').optional(),
    reject: z
      .boolean()
      .optional()
      .meta({ description: 'Also reject the version rolled back from (never promoted again).' }),
    reason: text(1024, 'Why (history, and the rejection reason).').optional(),
  })
  .meta({ id: 'RollbackBody', description: 'A rollback; the body may be empty.' });

export const RejectBodySchema = z
  .strictObject({
    version: version('The version to reject.'),
    reason: text(1024, 'Why it is rejected.'),
  })
  .meta({
    id: 'RejectBody',
    description: 'A rejected version: never promoted, new requests blocked unless forced.',
  });

export const ApprovalBodySchema = z
  .strictObject({
    application: name('The application whose waiting version is approved.'),
    version: version('That exact version (default: the one waiting).').optional(),
  })
  .meta({ id: 'ApprovalBody', description: 'An approval in an approval-gated Promotion.' });

const BlockedSchema = z
  .object({ reason: z.string(), message: z.string() })
  .meta({ description: 'Why the requested version is not delivered.' });

export const EnvironmentVersionSchema = z
  .object({
    name: z.string().meta({ description: 'Environment name.' }),
    requested: z.string().optional().meta({ description: 'The requested version.' }),
    desired: z.string().optional().meta({ description: 'The version Depot delivers.' }),
    setBy: z.string().optional().meta({ description: 'Who requested it.' }),
    blocked: BlockedSchema.optional(),
  })
  .meta({ id: 'EnvironmentVersion', description: 'Versions of one application in one environment.' });

export const TargetVersionSchema = z
  .object({
    name: z.string().meta({ description: 'Target name.' }),
    environment: z.string().optional(),
    desired: z.string().optional().meta({ description: 'The version delivered to the target.' }),
    deployed: z.string().optional().meta({ description: 'The version the target reports.' }),
    deployedAt: z.string().optional(),
    delivery: DeliveryStateSchema.optional(),
  })
  .meta({ id: 'TargetVersion', description: 'Versions of one application on one target.' });

export const ApplicationViewSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    versionScheme: z.enum(['semver', 'opaque']),
    environments: z.array(EnvironmentVersionSchema),
    targets: z.array(TargetVersionSchema),
    compatibility: z
      .array(CompatibilityRuleSchema)
      .optional()
      .meta({ description: 'spec.compatibility: the rules on the versions of other applications.' }),
    knownVersions: z.array(KnownVersionSchema).optional().meta({
      description: 'status.knownVersions: versions seen requested, promoted or deployed, newest first.',
    }),
    rejectedVersions: z
      .array(z.object({ version: z.string(), reason: z.string(), by: z.string() }))
      .optional()
      .meta({
        description: 'status.rejectedVersions: versions never promoted again, with who rejected them.',
      }),
  })
  .meta({ id: 'Application', description: 'An application with its versions per environment and target.' });

export const ApplicationListSchema = z
  .object({ namespace: z.string(), items: z.array(ApplicationViewSchema) })
  .meta({ id: 'ApplicationList', description: 'The applications of a namespace, by name.' });

export const HistorySchema = z
  .object({ application: z.string(), items: z.array(HistoryEntrySchema) })
  .meta({ id: 'History', description: 'Version changes of an application, newest first.' });

export const PromotionGateViewSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['http', 'prometheus']),
    interval: z
      .string()
      .optional()
      .meta({ description: 'How often a pending or failed gate is asked again.' }),
  })
  .meta({ id: 'PromotionGate', description: 'A gate of the Promotion (its URL or address is in the spec).' });

export const PromotionViewSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    from: z.string(),
    to: z.string(),
    suspended: z.boolean(),
    ready: z
      .object({
        status: z.enum(['True', 'False', 'Unknown']),
        reason: z.string().optional(),
        message: z.string().optional(),
      })
      .meta({ description: "The Promotion's Ready condition (Unknown before the controller has seen it)." }),
    gates: z.array(PromotionGateViewSchema),
    results: z.array(PromotionResultSchema).meta({
      description:
        "status.results: each application's outcome of the last run, with its gates' last answers.",
    }),
    summary: PromotionSummarySchema.optional(),
    holds: z.array(PromotionHoldSchema),
    verify: z
      .object({
        for: z.string(),
        deployTimeout: z.string().optional(),
        onFailure: z.enum(VERIFY_ON_FAILURE),
        reject: z.boolean(),
        gates: z.array(PromotionGateViewSchema),
      })
      .optional()
      .meta({ description: 'spec.verify: the verification after delivery (its gates as for gates).' }),
    requireVerified: z
      .boolean()
      .meta({ description: 'spec.requireVerified: only versions verified in from are promoted.' }),
    verifications: z.array(PromotionVerificationSchema).meta({
      description:
        'status.verifications: the latest verification per application (phase, window, gate answers, what a failure did).',
    }),
  })
  .meta({ id: 'Promotion', description: 'A Promotion with its gates and the outcome of its last run.' });

export const PromotionListSchema = z
  .object({ namespace: z.string(), items: z.array(PromotionViewSchema) })
  .meta({ id: 'PromotionList', description: 'The Promotions of a namespace, by name.' });

export const EnvironmentVersionsSchema = z
  .object({
    namespace: z.string(),
    environment: z.string(),
    items: z.array(
      z.object({
        application: z.string(),
        requested: z.string().optional(),
        desired: z.string().optional(),
        blocked: BlockedSchema.optional(),
      }),
    ),
  })
  .meta({ id: 'EnvironmentVersions', description: "Every application's versions in one environment." });

export const TargetVersionsSchema = z
  .object({
    namespace: z.string(),
    target: z.string(),
    environment: z.string(),
    delivery: z.enum(DELIVERY_KINDS).meta({ description: "The Target's delivery method." }),
    items: z.array(
      z.object({
        application: z.string(),
        desired: z.string().optional().meta({ description: 'The version to run on this target.' }),
        deployed: z.string().optional().meta({ description: 'The version last reported as running.' }),
        override: DeliveryOverrideSchema.optional().meta({
          description: "The application's delivery settings for this target (spec.targets.<target>).",
        }),
      }),
    ),
  })
  .meta({
    id: 'TargetVersions',
    description: 'What an agent polls: the versions of every application on a target.',
  });

export const WriteResultSchema = z
  .object({
    application: z.string(),
    environment: z.string().optional(),
    target: z.string().optional(),
    version: z.string(),
    from: z.string().optional().meta({ description: 'Promotions: the source environment.' }),
    promotion: z.string().optional().meta({ description: 'Approvals: the Promotion approved in.' }),
    approvers: z.array(z.string()).optional().meta({
      description:
        'Approvals: every approver of the version that counts, this one included (the requester does not count unless self-approval is allowed).',
    }),
    approvalsNeeded: z.number().int().optional().meta({
      description: 'Approvals: how many more distinct approvers the version needs (0: it is approved).',
    }),
    rolledBackFrom: z.string().optional().meta({ description: 'Rollbacks: the version rolled back from.' }),
    rejected: z
      .boolean()
      .optional()
      .meta({ description: 'Rollbacks: whether the version rolled back from was rejected too.' }),
    fieldManager: z.string().meta({ description: 'The field manager of the write (names the user).' }),
  })
  .meta({ id: 'WriteResult', description: 'What was written.' });

export const CompatibilitySchema = z
  .object({
    application: z.string(),
    environment: z.string().nullable().meta({ description: 'The environment asked about, if any.' }),
    with: z.array(z.string()).meta({ description: 'The given versions, APP@VERSION.' }),
    versions: z.array(z.string()).meta({ description: 'Known versions that work, newest first.' }),
    incompatible: z
      .array(z.object({ version: z.string(), conflicts: z.array(z.string()) }))
      .meta({ description: 'Known versions that do not, with the rules they break.' }),
    unchecked: z.array(z.string()).meta({
      description: 'Rules on applications outside the given set, not checked (without an environment).',
    }),
  })
  .meta({
    id: 'Compatibility',
    description: 'Known versions of an application that work with the given ones (seed 000).',
  });

export const CheckSchema = z
  .object({
    result: z.enum(['SUCCESS', 'CONFLICT']),
    packages: z.array(z.string()).meta({ description: 'The versions asked about, APP@VERSION.' }),
    environment: z.string().nullable(),
    reasons: z.array(z.string()).meta({ description: 'Every broken rule; empty on SUCCESS.' }),
    unchecked: z.array(z.string()),
  })
  .meta({ id: 'Check', description: 'Whether a set of versions works together (seed 002).' });

export const WhyReasonSchema = z
  .object({
    kind: z.string().meta({
      description:
        'What stops the version: a step of the Promotion planner by its name (soak, schedule, approval, gates, held, deployed, …), or frozen, compatibility, rejected, delivery, notRequested, source, suspended, pending.',
    }),
    message: z.string().meta({ description: 'Why, and what would end it (a command, a time, a version).' }),
    until: z.string().optional().meta({ description: 'When it ends by itself (RFC 3339), if it does.' }),
  })
  .meta({ id: 'WhyReason', description: 'One reason a version is not desired or not deployed.' });

export const WhySchema = z
  .object({
    application: z.string(),
    namespace: z.string(),
    environment: z.string(),
    version: z.string().meta({ description: 'The version asked about (default: the newest known).' }),
    present: z
      .boolean()
      .meta({ description: 'Whether the version is desired and reported deployed on every target.' }),
    requested: z.string().optional().meta({ description: 'spec.versions of the environment.' }),
    desired: z.string().optional().meta({ description: 'The version Depot delivers there.' }),
    reasons: z
      .array(WhyReasonSchema)
      .meta({ description: 'Every reason it is not there; empty when it is.' }),
    targets: z
      .array(
        z.object({
          name: z.string(),
          state: z.string().optional().meta({ description: 'Delivery state of the desired version.' }),
          deployed: z.string().optional().meta({ description: 'The version the target reports.' }),
          message: z.string().optional().meta({ description: 'The last delivery error or detail.' }),
        }),
      )
      .meta({ description: "The environment's targets." }),
    lines: z.array(z.string()).meta({ description: 'Exactly what `depot why` prints.' }),
  })
  .meta({
    id: 'Why',
    description: 'Why a version of an application is or is not in an environment, from the planner.',
  });

export const ServerInfoSchema = z
  .object({
    version: z.string().meta({ description: "The server's Depot version." }),
    protocol: z.number().int().meta({ description: 'The API major version (1).' }),
  })
  .meta({ id: 'ServerInfo', description: 'The server and protocol versions.' });

export const ErrorSchema = z
  .object({
    error: z.string().meta({ description: 'CamelCase kind of error, e.g. NotFound, Forbidden.' }),
    message: text(4096, 'What is wrong, naming the field or object.'),
  })
  .meta({ id: 'Error', description: 'Every 4xx and 5xx answer.' });

export type SetVersionBody = z.infer<typeof SetVersionBodySchema>;
export type DeployedBody = z.infer<typeof DeployedBodySchema>;
export type PromoteBody = z.infer<typeof PromoteBodySchema>;
export type RollbackBody = z.infer<typeof RollbackBodySchema>;
export type RejectBody = z.infer<typeof RejectBodySchema>;
export type ApprovalBody = z.infer<typeof ApprovalBodySchema>;
export type EnvironmentVersion = z.infer<typeof EnvironmentVersionSchema>;
export type TargetVersion = z.infer<typeof TargetVersionSchema>;
export type ApplicationView = z.infer<typeof ApplicationViewSchema>;
export type ApplicationList = z.infer<typeof ApplicationListSchema>;
export type History = z.infer<typeof HistorySchema>;
export type PromotionView = z.infer<typeof PromotionViewSchema>;
export type PromotionList = z.infer<typeof PromotionListSchema>;
export type EnvironmentVersions = z.infer<typeof EnvironmentVersionsSchema>;
export type TargetVersions = z.infer<typeof TargetVersionsSchema>;
export type WriteResult = z.infer<typeof WriteResultSchema>;
export type Compatibility = z.infer<typeof CompatibilitySchema>;
export type Check = z.infer<typeof CheckSchema>;
export type Why = z.infer<typeof WhySchema>;
export type WhyReason = z.infer<typeof WhyReasonSchema>;
export type ServerInfo = z.infer<typeof ServerInfoSchema>;
export type ErrorBody = z.infer<typeof ErrorSchema>;

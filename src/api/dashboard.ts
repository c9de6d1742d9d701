// The dashboard's wire contract: what the operator's HTTP server and
// `depot dashboard` send to the single-page app in ui/. The server builds
// these values and checks them in tests; the page imports the types only.
// Like the rest of /api/v1 the shapes only grow (fields are added, never
// removed or narrowed), so a page built earlier keeps reading a newer server.
import { z } from 'zod';

export const DASHBOARD_PREFIX = '/api/v1/dashboard';
/** The SSE stream of snapshots and deltas. */
export const DASHBOARD_EVENTS_PATH = `${DASHBOARD_PREFIX}/events`;
export const DASHBOARD_CONFIG_PATH = `${DASHBOARD_PREFIX}/config`;
/** Heartbeat comment lines on the stream, so proxies keep it open. */
export const DASHBOARD_HEARTBEAT_MS = 15_000;
/** The performance mark the page sets once every row of the matrix has its data (benchmarks read it). */
export const MATRIX_READY_MARK = 'depot:matrix-ready';

export const DashboardConfigSchema = z.strictObject({
  /** local: `depot dashboard` with the user's kubeconfig; in-cluster: the operator's HTTP API. */
  mode: z.enum(['local', 'in-cluster']),
  /** Who the server acts as, when it knows (local mode: the kubeconfig's user). */
  user: z.string().optional(),
  login: z.strictObject({
    tokenRequired: z.boolean(),
    /** The sentence the login form shows: which tokens are accepted. */
    accepts: z.string(),
  }),
});
export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;

export const DASHBOARD_DEPLOYED_KINDS = [
  'argocd',
  'flux-kustomization',
  'flux-helmrelease',
  'agent',
  'none',
] as const;
export type DashboardDeployedKind = (typeof DASHBOARD_DEPLOYED_KINDS)[number];

export const DashboardDeployedSchema = z.strictObject({
  /** The Target's name. */
  target: z.string(),
  kind: z.enum(DASHBOARD_DEPLOYED_KINDS),
  /** The delivered object, e.g. `argocd/guestbook` or `flux-system/podinfo`. */
  object: z.string().optional(),
  /** The version the target runs (status.deployed). */
  version: z.string().optional(),
  /** Delivery state: Pending, Delivered, Failed, Blocked or Contested. */
  state: z.string().optional(),
  /** Deployed differs from desired. */
  drift: z.boolean(),
  message: z.string().optional(),
});
export type DashboardDeployed = z.infer<typeof DashboardDeployedSchema>;

export const DASHBOARD_CHIP_KINDS = [
  'blocked',
  'frozen',
  'held',
  'rejected',
  'approval',
  'soak',
  'gate',
  'verifying',
  'delivering',
  'failed',
] as const;
export type DashboardChipKind = (typeof DASHBOARD_CHIP_KINDS)[number];

export const DashboardChipSchema = z.strictObject({
  kind: z.enum(DASHBOARD_CHIP_KINDS),
  /** One short sentence: what holds the cell and why. */
  text: z.string(),
  /** RFC 3339: when it ends (freeze window, soak). */
  until: z.string().optional(),
});
export type DashboardChip = z.infer<typeof DashboardChipSchema>;

export const DashboardCellSchema = z.strictObject({
  requested: z.string().optional(),
  desired: z.string().optional(),
  deployed: z.array(DashboardDeployedSchema),
  chip: DashboardChipSchema.optional(),
});
export type DashboardCell = z.infer<typeof DashboardCellSchema>;

export const DashboardReadySchema = z.strictObject({
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const DashboardRowSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  ready: DashboardReadySchema.optional(),
  /** Keyed by environment name. */
  cells: z.record(z.string(), DashboardCellSchema),
});
export type DashboardRow = z.infer<typeof DashboardRowSchema>;

export const DashboardPromotionSchema = z.strictObject({
  name: z.string(),
  from: z.string(),
  to: z.string(),
  /** RFC 3339: the schedule's next run. */
  nextRun: z.string().optional(),
  waiting: z.number().int().nonnegative(),
  promoted: z.number().int().nonnegative(),
  blocked: z.number().int().nonnegative(),
  /** Items waiting for an approval. */
  approvals: z.array(z.strictObject({ application: z.string(), version: z.string() })),
});
export type DashboardPromotion = z.infer<typeof DashboardPromotionSchema>;

export const DashboardNamespaceSchema = z.strictObject({
  namespace: z.string(),
  /** Environment names in EnvironmentSet order (the matrix's columns). */
  environments: z.array(z.string()),
  promotions: z.array(DashboardPromotionSchema),
});
export type DashboardNamespace = z.infer<typeof DashboardNamespaceSchema>;

export const DashboardSnapshotSchema = z.strictObject({
  namespaces: z.array(DashboardNamespaceSchema),
  rows: z.array(DashboardRowSchema),
});
export type DashboardSnapshot = z.infer<typeof DashboardSnapshotSchema>;

export const DashboardDeltaSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('row'), row: DashboardRowSchema }),
  z.strictObject({ op: z.literal('rowDeleted'), namespace: z.string(), name: z.string() }),
  z.strictObject({ op: z.literal('namespace'), namespace: DashboardNamespaceSchema }),
  z.strictObject({ op: z.literal('namespaceDeleted'), namespace: z.string() }),
]);
export type DashboardDelta = z.infer<typeof DashboardDeltaSchema>;
export const DashboardDeltasSchema = z.array(DashboardDeltaSchema);

export const DASHBOARD_ACTIONS = [
  'setVersion',
  'promote',
  'approve',
  'rollback',
  'release',
  'reject',
  'unreject',
] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

export const DashboardPermissionSchema = z.strictObject({
  allowed: z.boolean(),
  /** Why not, e.g. which verb on which resource the user lacks. */
  reason: z.string().optional(),
});
export type DashboardPermission = z.infer<typeof DashboardPermissionSchema>;

export const DashboardPermissionsSchema = z.strictObject({
  actions: z.strictObject(
    Object.fromEntries(DASHBOARD_ACTIONS.map((action) => [action, DashboardPermissionSchema])) as Record<
      DashboardAction,
      typeof DashboardPermissionSchema
    >,
  ),
});
export type DashboardPermissions = z.infer<typeof DashboardPermissionsSchema>;

/** SSE event names on the stream. */
export type DashboardEventName = 'snapshot' | 'delta';

// The wire contract's types, from the server's zod schemas (types only: no zod in the bundle).
export type {
  DashboardAction,
  DashboardCell,
  DashboardChip,
  DashboardChipKind,
  DashboardConfig,
  DashboardDelta,
  DashboardDeployed,
  DashboardNamespace,
  DashboardPermission,
  DashboardPermissions,
  DashboardPromotion,
  DashboardRow,
  DashboardSnapshot,
} from '../../../src/api/dashboard.js';
export type {
  ApplicationView,
  Compatibility,
  ErrorBody,
  History,
  PromotionView,
  WriteResult,
} from '../../../src/api/http.js';
export type { CompatibilityRule, HistoryEntry, KnownVersion } from '../../../src/api/application.js';

/** The performance mark benchmarks read (MATRIX_READY_MARK in src/api/dashboard.ts; a value import would pull zod in). */
export const MATRIX_READY_MARK = 'depot:matrix-ready';
export const CONFIG_PATH = '/api/v1/dashboard/config';
export const EVENTS_PATH = '/api/v1/dashboard/events';
/** Three missed heartbeats (15 s each): the stream is dead even if the socket is not closed. */
export const STREAM_IDLE_MS = 45_000;

/** GET …/applications/{app}/environments/{env}/why (WhySchema in src/api/http.ts, written by the why helper). */
export interface Why {
  application: string;
  namespace: string;
  environment: string;
  version: string;
  present: boolean;
  requested?: string;
  desired?: string;
  reasons: { kind: string; message: string; until?: string }[];
  targets: { name: string; state?: string; deployed?: string; message?: string }[];
  /** Exactly what `depot why` prints. */
  lines: string[];
}

// Sends an Application's new history entries to the audit log and as Events,
// at least once: each status write with new entries records
// `historySentThrough`, and a leader that took over from a crash re-sends what
// is newer, to the audit log only (Events are best-effort, so a restart writes
// nothing to the API server). Entries carry their id for de-duplication.
import type { HistoryEntry } from '../api/application.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import type { AuditSink } from '../runtime/audit-log.js';
import type { KubeObject } from '../kube/resource.js';

const WARNING_TYPES = new Set<HistoryEntry['type']>(['Blocked', 'Forced', 'Reapplied']);

/** Entries newer than `marker` (newest first); all entries with an id when the marker is unknown. */
export function unsentEntries(
  history: readonly HistoryEntry[] | undefined,
  marker: string | undefined,
): HistoryEntry[] {
  const withIds = (history ?? []).filter((h) => h.id !== undefined);
  const at = marker === undefined ? -1 : withIds.findIndex((h) => h.id === marker);
  return at >= 0 ? withIds.slice(0, at) : withIds;
}

const keyOf = (app: KubeObject) => `${app.metadata?.namespace ?? ''}/${app.metadata?.name ?? ''}`;

export class HistorySender {
  private term = -1;
  /** Per Application: the newest history id known to be sent in this leadership term. */
  private readonly sent = new Map<string, string | undefined>();

  constructor(
    private readonly deps: Pick<RuntimeDeps, 'events' | 'leadership' | 'log' | 'fence'>,
    private readonly audit: AuditSink,
  ) {}

  /** On the first reconcile of an Application in this term: resend what a crashed leader may not have sent. */
  firstSight(
    app: KubeObject,
    history: readonly HistoryEntry[] | undefined,
    marker: string | undefined,
  ): void {
    const leadership = this.deps.leadership();
    if (leadership.term !== this.term) {
      this.term = leadership.term;
      this.sent.clear();
    }
    const key = keyOf(app);
    if (this.sent.has(key)) return;
    if (!leadership.previousLeaderStoppedCleanly) {
      const unsent = unsentEntries(history, marker);
      // Behind the fence: not now, and not marked sent, so a later reconcile sends them.
      if (unsent.length > 0 && !this.mayAct(app, unsent.length)) return;
      if (unsent.length > 0) {
        this.deps.log.info(
          { application: key, entries: unsent.length },
          'sending history entries again that the previous operator may not have sent',
        );
        this.emit(app, unsent, true);
      }
    }
    this.sent.set(key, history?.find((h) => h.id !== undefined)?.id);
  }

  /** What to record as historySentThrough with the next new entries. */
  sentThrough(app: KubeObject): string | undefined {
    return this.sent.get(keyOf(app));
  }

  /**
   * Sends entries (newest first) just written to status, only while this
   * process may act (leadership's fence): otherwise they stay unsent, and the
   * leader that takes the expired lease sends them from status.history.
   */
  send(app: KubeObject, entries: readonly HistoryEntry[]): void {
    if (!this.mayAct(app, entries.length)) return;
    this.emit(app, entries, false);
    const newest = entries.find((h) => h.id !== undefined)?.id;
    if (newest) this.sent.set(keyOf(app), newest);
  }

  /** The leadership fence: false (and a warning) when this process may not send now. */
  private mayAct(app: KubeObject, entries: number): boolean {
    try {
      this.deps.fence();
      return true;
    } catch (err) {
      this.deps.log.warn(
        { application: keyOf(app), entries, err: (err as Error).message },
        'history entries not sent: the next leader sends them',
      );
      return false;
    }
  }

  forget(namespace: string, name: string): void {
    this.sent.delete(`${namespace}/${name}`);
  }

  private emit(app: KubeObject, entries: readonly HistoryEntry[], resent: boolean): void {
    for (const e of [...entries].reverse()) {
      if (!resent) this.event(app, e);
      this.audit.record({
        ...e,
        namespace: app.metadata?.namespace,
        application: app.metadata?.name,
        ...(resent ? { resent: true } : {}),
      });
    }
  }

  private event(app: KubeObject, e: HistoryEntry): void {
    const note = `${e.message ?? `${e.type} ${e.to ?? ''}`}${e.actor ? ` (by ${e.actor})` : ''}${e.id ? ` [${e.id}]` : ''}`;
    if (WARNING_TYPES.has(e.type)) this.deps.events.warning(app, e.type, note);
    else this.deps.events.normal(app, e.type, note);
  }
}

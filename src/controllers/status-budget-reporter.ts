// What the Application controller says about status bytes: counters of the
// trimming that kept a status under its budget, a Warning Event when history
// entries the audit log or the audit sink may not have were dropped (by the
// budget, or for the sink by --history-limit), and the StatusTooLarge
// condition when the API server refused a status as too large.
import { Counter, type Registry } from 'prom-client';
import type { ApplicationStatus, HistoryEntry } from '../api/application.js';
import { ConditionType, Reason } from '../api/conditions.js';
import { Applications } from '../api/resources.js';
import { describeTrim, type StatusTrim } from '../core/status-budget.js';
import { apiErrorMessage } from '../kube/errors.js';
import { setConditions } from '../kube/conditions.js';
import type { KubeObject } from '../kube/resource.js';
import type { Logger } from '../runtime/log.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import type { TerminalError } from '../runtime/terminal-error.js';

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter {
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export class StatusBudgetReporter {
  private readonly trims: Counter;
  private readonly droppedEntries: Counter;
  private readonly shortened: Counter;
  private readonly droppedUnsent: Counter;

  constructor(private readonly deps: Pick<RuntimeDeps, 'metrics' | 'events' | 'status' | 'clock' | 'log'>) {
    const r = deps.metrics.registry;
    this.trims = counter(
      r,
      'depot_status_trims_total',
      'Application status writes cut to the status byte budget; outcome over: still over it after trimming.',
      ['outcome'],
    );
    this.droppedEntries = counter(
      r,
      'depot_status_trimmed_history_entries_total',
      'History entries dropped from Application status to stay under the status byte budget.',
    );
    this.shortened = counter(
      r,
      'depot_status_shortened_messages_total',
      'Messages shortened in Application status to stay under the status byte budget.',
    );
    this.droppedUnsent = counter(
      r,
      'depot_history_dropped_unsent_total',
      'History entries dropped from Application status before the audit log or the audit sink had them (status byte budget, or --history-limit for the sink).',
    );
  }

  /** After a status write that was trimmed. */
  report(app: KubeObject, trim: StatusTrim, log: Logger): void {
    this.trims.inc({ outcome: trim.fits ? 'fits' : 'over' });
    this.droppedEntries.inc(trim.droppedEntries);
    this.shortened.inc(trim.shortenedMessages);
    log.info({ ...trim, droppedUnsent: trim.droppedUnsent.length }, 'status trimmed to its byte budget');
    if (trim.droppedUnsent.length === 0) return;
    this.droppedUnsent.inc(trim.droppedUnsent.length);
    const ids = trim.droppedUnsent.map((e) => e.id ?? '?');
    this.deps.events.warning(
      app,
      'HistoryDroppedUnsent',
      `${ids.length} history entr${ids.length === 1 ? 'y was' : 'ies were'} dropped from status before the audit log or sink had them (${describeTrim(trim)}): ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`,
    );
  }

  /** After a status write whose count limit (--history-limit) dropped entries the audit sink had not taken. */
  droppedBeforeSink(app: KubeObject, entries: readonly HistoryEntry[], log: Logger): void {
    this.droppedUnsent.inc(entries.length);
    const ids = entries.map((e) => e.id ?? '?');
    log.warn(
      { entries: ids.length, ids: ids.slice(0, 10) },
      'history entries dropped before the audit sink took them',
    );
    this.deps.events.warning(
      app,
      'HistoryDroppedUnsent',
      `${ids.length} history entr${ids.length === 1 ? 'y was' : 'ies were'} dropped from status (--history-limit) before the audit sink took them: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`,
    );
  }

  /** The API server refused the status as too large: one small patch with the condition naming the size. */
  async tooLarge(app: KubeObject, err: TerminalError): Promise<void> {
    const now = new Date(this.deps.clock.now());
    try {
      await this.deps.status.update(
        Applications,
        app,
        (obj) => {
          const status = (obj.status ?? {}) as ApplicationStatus;
          return {
            ...status,
            conditions: setConditions(
              status.conditions,
              [
                {
                  type: ConditionType.StatusTooLarge,
                  status: 'True',
                  reason: Reason.RequestTooLarge,
                  message: err.message,
                },
              ],
              obj.metadata?.generation,
              now,
            ),
          };
        },
        { conflictRetries: 0 },
      );
    } catch (writeErr) {
      this.deps.log.warn(
        { err: apiErrorMessage(writeErr), application: `${app.metadata?.namespace}/${app.metadata?.name}` },
        'could not record the StatusTooLarge condition',
      );
    }
  }
}

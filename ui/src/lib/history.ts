// The application page's history filters (environment, type, actor).
import type { HistoryEntry } from './contract.js';

export interface HistoryFilter {
  environment: string;
  type: string;
  /** Part of the actor's name, any case. */
  actor: string;
}

export function filterHistory(entries: readonly HistoryEntry[], f: HistoryFilter): HistoryEntry[] {
  const actor = f.actor.trim().toLowerCase();
  return entries.filter(
    (e) =>
      (f.environment === '' || e.environment === f.environment) &&
      (f.type === '' || e.type === f.type) &&
      (actor === '' || (e.actor ?? '').toLowerCase().includes(actor)),
  );
}

/** The values the filters offer: those present in the entries, sorted. */
export function historyFacets(entries: readonly HistoryEntry[]): { environments: string[]; types: string[] } {
  const environments = new Set<string>();
  const types = new Set<string>();
  for (const e of entries) {
    if (e.environment) environments.add(e.environment);
    types.add(e.type);
  }
  return { environments: [...environments].sort(), types: [...types].sort() };
}

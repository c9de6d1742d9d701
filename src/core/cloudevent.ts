// A history entry as a CloudEvent 1.0 in structured JSON mode (the whole event
// is the HTTP body, Content-Type application/cloudevents+json): type
// sh.depot.<entry type>, id the entry's id, so a receiver that keeps the ids it
// has seen drops the duplicates at-least-once delivery sends.
import type { HistoryEntry } from '../api/application.js';
import { GROUP, VERSION } from '../api/group.js';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  /** Extension attributes: lowercase letters and digits only (CloudEvents 1.0 naming). */
  depotnamespace: string;
  depotapplication: string;
  data: HistoryEntry;
}

export interface EventSource {
  namespace: string;
  name: string;
}

/** The Application's API path: a URI-reference naming it, unique across a cluster. */
export const applicationSource = (app: EventSource): string =>
  `/apis/${GROUP}/${VERSION}/namespaces/${app.namespace}/applications/${app.name}`;

/** What the entry concerns within its Application: the environment, and the target when there is one. */
function subjectOf(e: HistoryEntry): string | undefined {
  if (e.environment && e.target) return `${e.environment}/${e.target}`;
  return e.environment ?? e.target;
}

/** The CloudEvent of an entry that has an id (entries without one are never sent). */
export function historyCloudEvent(app: EventSource, entry: HistoryEntry & { id: string }): CloudEvent {
  const subject = subjectOf(entry);
  return {
    specversion: '1.0',
    id: entry.id,
    source: applicationSource(app),
    type: `sh.depot.${entry.type}`,
    ...(subject !== undefined ? { subject } : {}),
    time: entry.time,
    datacontenttype: 'application/json',
    depotnamespace: app.namespace,
    depotapplication: app.name,
    data: entry,
  };
}

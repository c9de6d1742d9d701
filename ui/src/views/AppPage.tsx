// An application: its environments live from the stream (with actions), its
// targets and where they deliver, compatibility rules and what they gate now,
// known versions (reject / unreject) and the history timeline with filters.
import { useMemo, useState } from 'preact/hooks';
import type { ApplicationView, Compatibility, History } from '../lib/contract.js';
import { DASHBOARD_CHIP_LABELS } from '../lib/filters.js';
import { filterHistory, historyFacets, type HistoryFilter } from '../lib/history.js';
import { ruleText } from '../lib/compat-layout.js';
import { routeHash } from '../lib/routes.js';
import { rowKey, type DashboardState } from '../lib/store.js';
import { appPath, nsPath } from '../net/api.js';
import { ActionGroup, environmentActions, rejectAction, unrejectAction } from './Actions.js';
import { Choice, TableHead } from './controls.js';
import { useApi } from './hooks.js';
import { shortTime } from '../lib/time.js';

/** compatibility, knownVersions and rejectedVersions are optional: an older server does not send them. */
type AppDetails = ApplicationView;

export function AppPage(props: { namespace: string; app: string; state: DashboardState }) {
  const { namespace, app, state } = props;
  const row = state.rows.get(rowKey(namespace, app));
  const view = useApi<AppDetails>(appPath(namespace, app), [row]);
  const environments =
    state.namespaces.get(namespace)?.environments.filter((e) => row?.cells[e]) ??
    Object.keys(row?.cells ?? {});
  if (view.status === 'error' && !row)
    return (
      <section class="page" data-testid="app-page">
        <h1>{app}</h1>
        <p class="error" role="alert">
          {view.message}
        </p>
      </section>
    );
  const details = view.status === 'ok' ? view.value : undefined;
  return (
    <section class="page" data-testid="app-page" aria-labelledby="app-title">
      <h1 id="app-title">
        {app} <span class="muted">in {namespace}</span>
      </h1>
      {row?.ready && (
        <p class={row.ready.status === 'True' ? 'result' : 'warn'}>
          Ready: {row.ready.status}
          {row.ready.reason ? ` (${row.ready.reason})` : ''}
          {row.ready.message ? `: ${row.ready.message}` : ''}
        </p>
      )}
      <h2>Environments</h2>
      <table class="table">
        <TableHead columns={['Environment', 'Desired', 'Requested', 'Deployed', 'State', 'Actions']} />
        <tbody>
          {environments.map((env) => {
            const cell = row?.cells[env];
            return (
              <tr key={env}>
                <th scope="row">
                  <a href={routeHash({ page: 'why', namespace, app, environment: env })}>{env}</a>
                </th>
                <td>{cell?.desired ?? '—'}</td>
                <td>{cell?.requested ?? '—'}</td>
                <td>
                  {cell?.deployed.map((d) => (
                    <div key={d.target} class={d.drift ? 'drift-mark' : undefined}>
                      {d.target} {d.version ?? '—'}
                      {d.drift ? ' ≠ drift' : ''}
                    </div>
                  ))}
                </td>
                <td>
                  {cell?.chip && (
                    <>
                      <span class={`chip chip-${cell.chip.kind}`}>
                        {DASHBOARD_CHIP_LABELS[cell.chip.kind]}
                      </span>{' '}
                      {cell.chip.text}
                      {cell.chip.until && <> (until {shortTime(cell.chip.until)})</>}
                    </>
                  )}
                </td>
                <td>
                  <ActionGroup
                    namespace={namespace}
                    app={app}
                    label={`Actions for ${app} in ${env}`}
                    testid={`env-actions-${env}`}
                    specs={environmentActions(
                      namespace,
                      app,
                      env,
                      environments.filter((e) => e !== env),
                    )}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Targets details={details} state={state} namespace={namespace} app={app} />
      <CompatibilitySection
        namespace={namespace}
        app={app}
        environments={environments}
        details={details}
        row={row}
      />
      <HistorySection namespace={namespace} app={app} refresh={row} />
    </section>
  );
}

function Targets(props: {
  details: AppDetails | undefined;
  state: DashboardState;
  namespace: string;
  app: string;
}) {
  const row = props.state.rows.get(rowKey(props.namespace, props.app));
  const live = new Map(
    Object.values(row?.cells ?? {}).flatMap((c) => c.deployed.map((d) => [d.target, d] as const)),
  );
  const targets = props.details?.targets ?? [];
  return (
    <>
      <h2>Targets</h2>
      {targets.length === 0 && live.size === 0 ? (
        <p class="muted">No targets.</p>
      ) : (
        <table class="table">
          <TableHead
            columns={['Target', 'Environment', 'Delivers to', 'Desired', 'Deployed', 'Delivery', 'Message']}
          />
          <tbody>
            {(targets.length ? targets.map((t) => t.name) : [...live.keys()]).map((name) => {
              const t = targets.find((x) => x.name === name);
              const d = live.get(name);
              const st = d?.state ?? t?.delivery?.state;
              return (
                <tr key={name} data-testid={`target-${name}`} data-state={st}>
                  <th scope="row">{name}</th>
                  <td>{t?.environment ?? ''}</td>
                  <td>{d ? `${d.kind}${d.object ? ` ${d.object}` : ''}` : ''}</td>
                  <td>{t?.desired ?? '—'}</td>
                  <td>
                    {d?.version ?? t?.deployed ?? '—'}
                    {d?.drift && <span class="drift-mark"> ≠ drift</span>}
                  </td>
                  <td>{st ?? '—'}</td>
                  <td>{d?.message ?? t?.delivery?.message ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

function CompatibilitySection(props: {
  namespace: string;
  app: string;
  environments: string[];
  details: AppDetails | undefined;
  row: unknown;
}) {
  const { namespace, app, details } = props;
  const rules = details?.compatibility;
  const rejected = new Map((details?.rejectedVersions ?? []).map((r) => [r.version, r]));
  const [env, setEnv] = useState(props.environments[props.environments.length - 1] ?? '');
  const compat = useApi<Compatibility>(
    env
      ? nsPath(namespace, `/compatibility/${encodeURIComponent(app)}?environment=${encodeURIComponent(env)}`)
      : null,
    [props.row],
  );
  const known: string[] = details?.knownVersions
    ? details.knownVersions.map((k) => k.version)
    : compat.status === 'ok'
      ? [...compat.value.versions, ...compat.value.incompatible.map((i) => i.version)]
      : [];
  const conflicts = new Map(
    compat.status === 'ok' ? compat.value.incompatible.map((i) => [i.version, i.conflicts]) : [],
  );
  return (
    <>
      <h2>Compatibility</h2>
      <div data-testid="compat-rules">
        {/* The view leaves the field out when the application has no rules. */}
        {rules === undefined || rules.length === 0 ? (
          <p class="muted">No rules: {app} works with any version of the others.</p>
        ) : (
          <ul>
            {rules.map((r, i) => (
              <li key={i}>
                <code>{ruleText(app, r)}</code>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={routeHash({ page: 'compat', namespace })}>The namespace's compatibility graph</a>
        </p>
      </div>
      <h2 id="known-title">Known versions</h2>
      {props.environments.length > 0 && (
        <Choice
          label="Checked against what runs in"
          value={env}
          options={props.environments}
          onChange={setEnv}
        />
      )}
      {compat.status === 'error' && <p class="error">{compat.message}</p>}
      <ul class="known" data-testid="known-versions" aria-labelledby="known-title">
        {known.map((v) => {
          const k = details?.knownVersions?.find((x) => x.version === v);
          const c = conflicts.get(v);
          const r = rejected.get(v);
          return (
            <li key={v} data-testid={`known-version-${v}`}>
              <code>{v}</code>
              {k && (
                <span class="muted">
                  {' '}
                  first {k.via.toLowerCase()} in {k.environment} {shortTime(k.firstSeen)}
                </span>
              )}
              {c && c.length > 0 ? (
                <span class="warn">
                  {' '}
                  gated in {env}: {c.join('; ')}
                </span>
              ) : compat.status === 'ok' ? (
                <span class="ok"> works with {env}</span>
              ) : null}
              {r && (
                <span class="chip chip-rejected">
                  {' '}
                  rejected{r.by ? ` by ${r.by}` : ''}: {r.reason}
                </span>
              )}
              <ActionGroup
                namespace={namespace}
                app={app}
                label={`Reject or unreject ${v}`}
                specs={[r ? unrejectAction(namespace, app, v) : rejectAction(namespace, app, v)]}
              />
            </li>
          );
        })}
      </ul>
      {details && (
        <ActionGroup
          namespace={namespace}
          app={app}
          label="Reject a version"
          specs={[rejectAction(namespace, app)]}
        />
      )}
    </>
  );
}

function HistorySection(props: { namespace: string; app: string; refresh: unknown }) {
  const history = useApi<History>(appPath(props.namespace, props.app, '/history'), [props.refresh]);
  const [filter, setFilter] = useState<HistoryFilter>({ environment: '', type: '', actor: '' });
  const entries = history.status === 'ok' ? history.value.items : [];
  const facets = useMemo(() => historyFacets(entries), [entries]);
  const shown = filterHistory(entries, filter);
  return (
    <>
      <h2 id="history-title">History</h2>
      <div class="toolbar" role="search" aria-label="Filter the history">
        <Choice
          label="Environment"
          testid="history-filter-env"
          value={filter.environment}
          empty="all"
          options={facets.environments}
          onChange={(environment) => setFilter({ ...filter, environment })}
        />
        <Choice
          label="Type"
          testid="history-filter-type"
          value={filter.type}
          empty="all"
          options={facets.types}
          onChange={(type) => setFilter({ ...filter, type })}
        />
        <label class="inline">
          <span>Actor</span>
          <input
            data-testid="history-filter-actor"
            type="search"
            value={filter.actor}
            onInput={(e) => setFilter({ ...filter, actor: e.currentTarget.value })}
          />
        </label>
        <span class="muted" role="status">
          {shown.length} of {entries.length}
        </span>
      </div>
      {history.status === 'error' && <p class="error">{history.message}</p>}
      <ol class="timeline" aria-labelledby="history-title">
        {shown.map((e, i) => (
          <li
            key={e.id ?? i}
            data-testid="history-entry"
            data-type={e.type}
            data-env={e.environment}
            data-actor={e.actor}
          >
            <time dateTime={e.time}>{shortTime(e.time)}</time>{' '}
            <span class={`htype htype-${e.type}`}>{e.type}</span>
            {e.environment && <> in {e.environment}</>}
            {e.target && <> on {e.target}</>}
            {(e.from || e.to) && (
              <>
                {' '}
                <code>{e.from ?? '∅'}</code> → <code>{e.to ?? '∅'}</code>
              </>
            )}
            {e.actor && (
              <>
                {' '}
                by <span class="actor">{e.actor}</span>
                {e.actorUnverified && <span class="muted"> (unverified)</span>}
              </>
            )}
            {e.message && <div class="muted">{e.message}</div>}
          </li>
        ))}
      </ol>
    </>
  );
}

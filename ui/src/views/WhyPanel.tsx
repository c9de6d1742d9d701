// The "why" panel of one cell: the server's answer from the planner, its
// lines verbatim (the same text as `depot why`) and the reasons one by one,
// with the actions for that application in that environment.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Why } from '../lib/contract.js';
import { routeHash } from '../lib/routes.js';
import { rowKey, type DashboardState } from '../lib/store.js';
import { appPath } from '../net/api.js';
import { ActionGroup, approveAction, environmentActions, OutcomeLine, type Outcome } from './Actions.js';
import { TableHead } from './controls.js';
import { useApi } from './hooks.js';
import { shortTime } from '../lib/time.js';

export function WhyPanel(props: {
  namespace: string;
  app: string;
  environment: string;
  version?: string;
  state: DashboardState;
  backHash: string;
}) {
  const { namespace, app, environment, version, state } = props;
  const row = state.rows.get(rowKey(namespace, app));
  const path = appPath(
    namespace,
    app,
    `/environments/${encodeURIComponent(environment)}/why${version ? `?version=${encodeURIComponent(version)}` : ''}`,
  );
  // Asked again whenever the row changes on the stream: the answer follows the cell live.
  const why = useApi<Why>(path, [row]);
  const [asked, setAsked] = useState(version ?? '');
  // Outside the waiting items: an approval that promotes removes its own item.
  const [approval, setApproval] = useState<Outcome | null>(null);
  useEffect(() => setApproval(null), [namespace, app, environment]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const ns = state.namespaces.get(namespace);
  const envs = ns?.environments ?? Object.keys(row?.cells ?? {});
  const waiting = ns?.promotions.flatMap((p) =>
    p.to === environment
      ? p.approvals
          .filter((a) => a.application === app)
          .map((a) => ({ promotion: p.name, version: a.version }))
      : [],
  );
  const close = () => {
    location.hash = props.backHash;
    // Back to the cell the panel was opened from (the matrix stayed mounted under the panel).
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`[data-testid="cell-${namespace}/${app}/${environment}"]`)?.focus(),
    );
  };

  return (
    <aside
      class="why-panel"
      data-testid="why-panel"
      aria-labelledby="why-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !(e.target as HTMLElement).closest('dialog')) close();
      }}
    >
      <div class="panel-head">
        <h2 id="why-title" tabIndex={-1} ref={heading}>
          Why: <a href={routeHash({ page: 'app', namespace, app })}>{app}</a> in {environment}
        </h2>
        <button type="button" data-testid="why-close" onClick={close} aria-label="Close the why panel">
          ×
        </button>
      </div>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = routeHash({
            page: 'why',
            namespace,
            app,
            environment,
            ...(asked.trim() ? { version: asked.trim() } : {}),
          });
        }}
      >
        <label for="why-version">Version</label>
        <input
          id="why-version"
          data-testid="why-version"
          placeholder="newest known"
          value={asked}
          onInput={(e) => setAsked(e.currentTarget.value)}
        />
        <button type="submit">Ask</button>
      </form>
      {why.status === 'loading' && <p>Asking the planner…</p>}
      {why.status === 'error' && (
        <p class="error" role="alert" data-testid="why-error">
          {why.message}
        </p>
      )}
      {why.status === 'ok' && (
        <>
          <p class={why.value.present ? 'result' : 'warn'}>
            {app} {why.value.version} {why.value.present ? 'is' : 'is not'} there
            {why.value.desired
              ? ` (desired ${why.value.desired}${why.value.requested && why.value.requested !== why.value.desired ? `, requested ${why.value.requested}` : ''})`
              : ''}
            .
          </p>
          {/* Long lines scroll sideways: a tab stop, so the keyboard can scroll them too. */}
          <pre
            class="why-lines"
            data-testid="why-lines"
            tabIndex={0}
            aria-label={`depot why ${app} ${environment}`}
          >
            {why.value.lines.map((l, i) => (
              <Fragment key={i}>
                <span data-testid="why-line">{l}</span>
                {'\n'}
              </Fragment>
            ))}
          </pre>
          {why.value.reasons.length > 0 && (
            <>
              <h3>Reasons</h3>
              <ul class="reasons" data-testid="why-reasons">
                {why.value.reasons.map((r, i) => (
                  <li key={i} data-testid="why-reason" data-kind={r.kind}>
                    <span class="kind">{r.kind}</span> {r.message}
                    {r.until && <> (until {shortTime(r.until)})</>}
                  </li>
                ))}
              </ul>
            </>
          )}
          {why.value.targets.length > 0 && (
            <>
              <h3>Targets</h3>
              <table class="table" data-testid="why-targets">
                <TableHead columns={['Target', 'Deployed', 'Delivery', 'Message']} />
                <tbody>
                  {why.value.targets.map((t) => (
                    <tr key={t.name}>
                      <td>{t.name}</td>
                      <td>{t.deployed ?? '—'}</td>
                      <td>{t.state ?? '—'}</td>
                      <td>{t.message ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
      <h3>Actions</h3>
      <ActionGroup
        namespace={namespace}
        app={app}
        label={`Actions for ${app} in ${environment}`}
        testid={`env-actions-${environment}`}
        specs={environmentActions(
          namespace,
          app,
          environment,
          envs.filter((e) => e !== environment),
        )}
      />
      {waiting?.map((w) => (
        <div key={w.promotion} data-testid={`approval-${w.promotion}/${app}`}>
          <p>
            {app} {w.version} waits for approval in Promotion {w.promotion}.
          </p>
          <ActionGroup
            namespace={namespace}
            app={app}
            promotion={w.promotion}
            label={`Approve ${app} ${w.version}`}
            specs={[approveAction(namespace, w.promotion, app, w.version)]}
            onOutcome={setApproval}
          />
        </div>
      ))}
      <OutcomeLine outcome={approval} />
    </aside>
  );
}

import type { DashboardConfig } from '../lib/contract.js';
import type { Route } from '../lib/routes.js';
import { routeHash } from '../lib/routes.js';
import type { ConnState } from '../net/stream.js';

const CONN_TEXT: Record<ConnState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  unauthorized: 'Signed out',
};

export function Header(props: {
  config: DashboardConfig;
  connection: { state: ConnState; detail?: string };
  route: Route;
  namespaces: string[];
  onSignOut?: () => void;
}) {
  const { route, namespaces } = props;
  const currentNs = 'namespace' in route ? route.namespace : route.filter.namespace || (namespaces[0] ?? '');
  const go = (page: 'promotions' | 'compat', ns: string) =>
    (location.hash = routeHash({ page, namespace: ns }));
  return (
    <header class="header">
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <a class="brand" href="#/">
        Depot
      </a>
      <nav aria-label="Views" class="nav">
        <a href="#/" aria-current={route.page === 'matrix' ? 'page' : undefined}>
          Matrix
        </a>
        {currentNs && (
          <>
            <a
              href={routeHash({ page: 'promotions', namespace: currentNs })}
              aria-current={route.page === 'promotions' ? 'page' : undefined}
            >
              Promotions
            </a>
            <a
              href={routeHash({ page: 'compat', namespace: currentNs })}
              aria-current={route.page === 'compat' ? 'page' : undefined}
            >
              Compatibility
            </a>
          </>
        )}
        {(route.page === 'promotions' || route.page === 'compat') && namespaces.length > 1 && (
          <label class="inline">
            <span class="sr-only">Namespace</span>
            <select value={currentNs} onChange={(e) => go(route.page as 'promotions', e.currentTarget.value)}>
              {namespaces.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
      </nav>
      <span class="spacer" />
      {props.config.user && <span class="user">{props.config.user}</span>}
      {props.onSignOut && (
        <button type="button" data-testid="sign-out" onClick={props.onSignOut}>
          Sign out
        </button>
      )}
      <span
        class={`conn conn-${props.connection.state}`}
        data-testid="conn-state"
        data-state={props.connection.state}
        role="status"
        title={props.connection.detail}
      >
        <span class="dot" aria-hidden="true" />
        {CONN_TEXT[props.connection.state]}
        {props.connection.detail && props.connection.state !== 'live' && (
          <span class="sr-only">: {props.connection.detail}</span>
        )}
      </span>
    </header>
  );
}

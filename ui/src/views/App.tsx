// The page: the login form when the server needs a token, else the header
// (navigation, connection state) and the routed view over the live store.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { CONFIG_PATH, type DashboardConfig } from '../lib/contract.js';
import { NO_FILTER, type MatrixFilter } from '../lib/filters.js';
import { routeHash } from '../lib/routes.js';
import { auth } from '../net/api.js';
import { createLiveStore } from '../net/live.js';
import { AppPage } from './AppPage.js';
import { CompatGraph } from './CompatGraph.js';
import { Header } from './Header.js';
import { useApi, useLive, useRoute } from './hooks.js';
import { Login } from './Login.js';
import { Matrix } from './Matrix.js';
import { Promotions } from './Promotions.js';
import { WhyPanel } from './WhyPanel.js';

export function App() {
  const config = useApi<DashboardConfig>(CONFIG_PATH);
  const [signedIn, setSignedIn] = useState(false);
  const [loginError, setLoginError] = useState<string | undefined>();

  useEffect(
    () =>
      auth.onUnauthorized((message) => {
        auth.set(undefined);
        setSignedIn(false);
        setLoginError(message);
      }),
    [],
  );

  if (config.status === 'loading') return <p class="page-message">Loading…</p>;
  if (config.status === 'error')
    return (
      <p class="page-message" role="alert">
        Cannot load the dashboard configuration: {config.message}
      </p>
    );
  const needsToken = config.value.login.tokenRequired && !signedIn;
  if (needsToken)
    return (
      <Login
        accepts={config.value.login.accepts}
        error={loginError}
        onSubmit={(token) => {
          // The events stream proves the token: a 401 there (or on any request) brings this form back with the reason.
          auth.set(token);
          setLoginError(undefined);
          setSignedIn(true);
        }}
      />
    );
  return (
    <Dashboard
      config={config.value}
      onSignOut={
        config.value.login.tokenRequired
          ? () => {
              auth.set(undefined);
              setLoginError(undefined);
              setSignedIn(false);
            }
          : undefined
      }
    />
  );
}

function Dashboard({ config, onSignOut }: { config: DashboardConfig; onSignOut?: () => void }) {
  const store = useMemo(() => createLiveStore([]), []);
  useEffect(() => () => store.stop(), [store]);
  const { state, connection } = useLive(store);
  const route = useRoute();
  const [filter, setFilter] = useState<MatrixFilter>(NO_FILTER);
  useEffect(() => {
    if (route.page === 'matrix') setFilter(route.filter);
  }, [route]);

  const namespaces = [...state.namespaces.keys()].sort();
  const onFilter = (f: MatrixFilter) => {
    setFilter(f);
    history.replaceState(null, '', routeHash({ page: 'matrix', filter: f }));
  };
  const showMatrix = route.page === 'matrix' || route.page === 'why';
  return (
    <div class="layout">
      <Header
        config={config}
        connection={connection}
        route={route}
        namespaces={namespaces}
        onSignOut={onSignOut}
      />
      {(connection.state === 'offline' || (connection.state === 'reconnecting' && connection.detail)) && (
        <p class="banner" role="alert" data-testid="conn-banner">
          Disconnected: {connection.detail}.{' '}
          {state.loaded ? 'Showing the data last received.' : 'No data yet.'}
        </p>
      )}
      <main id="main" class="main">
        {showMatrix && <Matrix state={state} filter={filter} onFilter={onFilter} />}
        {route.page === 'why' && (
          <WhyPanel
            key={`${route.namespace}/${route.app}/${route.environment}`}
            namespace={route.namespace}
            app={route.app}
            environment={route.environment}
            version={route.version}
            state={state}
            backHash={routeHash({ page: 'matrix', filter })}
          />
        )}
        {route.page === 'app' && <AppPage namespace={route.namespace} app={route.app} state={state} />}
        {route.page === 'promotions' && <Promotions namespace={route.namespace} state={state} />}
        {route.page === 'compat' && <CompatGraph namespace={route.namespace} />}
      </main>
    </div>
  );
}

// The watch pool's view of a kubeconfig: credentials are applied on every
// call (a changed token is sent at once), the connection pool is one.
import { KubeConfig } from '@kubernetes/client-node';
import { HttpMethod, RequestContext } from './client-node.js';
import { ConnectionPool } from './transport.js';

function kubeConfig(token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // skipTLSVerify gives client-node TLS settings, hence an undici Agent of its own per call.
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

const request = () =>
  new RequestContext('https://127.0.0.1:6443/api/v1/configmaps?watch=true', HttpMethod.GET);

test('every call through the view gets fresh credentials and the one pooled dispatcher', async () => {
  const kc = kubeConfig('first');
  const pool = new ConnectionPool();
  const view = pool.authenticating(kc);
  expect(view.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');

  const a = request();
  await view.applySecurityAuthentication(a);
  Object.assign(kc.getCurrentUser()!, { token: 'second' });
  const b = request();
  await view.applySecurityAuthentication(b);

  expect(a.getHeaders().Authorization).toBe('Bearer first');
  expect(b.getHeaders().Authorization).toBe('Bearer second');
  expect(a.getDispatcher()).toBeDefined();
  expect(b.getDispatcher()).toBe(a.getDispatcher());

  // Without the view, client-node builds a dispatcher per call.
  const c = request();
  await kc.applySecurityAuthentication(c);
  expect(c.getDispatcher()).not.toBe(a.getDispatcher());
  await c.getDispatcher()?.close();

  expect(pool.stats()).toEqual({ connections: 0, inFlight: 0 });
  await pool.close();
  // Closed: the next call starts a new pool instead of using a closed dispatcher.
  const d = request();
  await view.applySecurityAuthentication(d);
  expect(d.getDispatcher()).not.toBe(a.getDispatcher());
  await pool.close();
});

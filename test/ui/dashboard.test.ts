// The dashboard in Debian's Chromium (playwright-core) against the real
// control plane and the built operator serving the page at / of its HTTP API:
// the matrix shows the applications' versions; `depot set-version` in a
// terminal (the CLI process) updates the cell live; rollback from the
// application page is recorded under the user; a viewer sees the actions
// disabled with the reason and a forged request gets 403; axe-core finds no
// serious violation. Screenshots go to docs/images/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freshNamespace } from '../controlplane/env.js';
import { apiBase, serviceAccountToken } from '../kit/http-api.js';
import { application } from '../kit/objects.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { cliIn, runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { twoEnvironments } from '../kit/topologies.js';
import { launchChromium, seriousViolations } from './browser.js';

const k = cluster();
const images = join(import.meta.dirname, '..', '..', 'docs', 'images');

let ns: string;
let operator: OperatorProcess;
let origin: string;
let adminToken: string;
let viewerToken: string;
let browser: Browser;
let context: BrowserContext;

const cell = (app: string, env: string) => `[data-testid="cell-${ns}/${app}/${env}"]`;

async function signedIn(token: string, hash = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/${hash}`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('token-submit').click();
  return page;
}

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'ui');
  await k.apply(ns, [
    ...twoEnvironments({ targets: { 'dev-1': 'dev', 'prod-1': 'prod' } }),
    application('core', { environmentSets: ['default'], versions: { dev: '1.0.0', prod: '0.9.0' } }),
    application('web', { environmentSets: ['default'], versions: { dev: '2.0.0', prod: '2.0.0' } }),
  ]);
  const read = { apiGroups: ['depot.sh'], resources: ['applications', 'promotions'], verbs: ['get', 'list'] };
  adminToken = await serviceAccountToken(k.kc, ns, 'release-manager', [
    read,
    { apiGroups: ['depot.sh'], resources: ['applications', 'promotions'], verbs: ['patch'] },
  ]);
  viewerToken = await serviceAccountToken(k.kc, ns, 'viewer', [read]);
  operator = await runOperator(ns, { args: ['--api-addr', '127.0.0.1:0'] });
  origin = (await apiBase(operator)).replace(/\/api\/v1$/, '');
  await eventually('core has a status', async () => (await k.app(ns, 'core')).status?.targets?.length === 2);
  browser = await launchChromium();
  // axe-core is injected as an inline script, which the page's CSP refuses (as it should).
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
  mkdirSync(images, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await operator?.stop();
});

test('the page is served with a strict CSP and its login form says which tokens it accepts', async () => {
  const res = await fetch(`${origin}/`);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await expect(page.getByTestId('login-accepts').textContent()).resolves.toContain('--audience depot');
  await page.close();
});

test('the matrix shows the versions, and depot set-version in a terminal updates the cell live', async () => {
  const page = await signedIn(adminToken);
  await page.locator(`${cell('core', 'dev')}[data-desired="1.0.0"]`).waitFor({ timeout: 30_000 });
  await page.locator(`${cell('web', 'prod')}[data-desired="2.0.0"]`).waitFor();
  await page.screenshot({ path: join(images, 'dashboard-matrix.png') });
  const cli = cliIn(ns)('set-version', 'core', 'dev', '1.1.0');
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(0);
  // No reload: the stream carries the change.
  await page.locator(`${cell('core', 'dev')}[data-desired="1.1.0"]`).waitFor({ timeout: 15_000 });
  expect(await seriousViolations(page)).toEqual([]);
  await page.close();
}, 90_000);

test('rollback from the application page is recorded under the user who clicked', async () => {
  const page = await signedIn(adminToken, `#/app/${ns}/core`);
  await page.getByTestId('app-page').waitFor({ timeout: 30_000 });
  const rollback = page.getByTestId('env-actions-dev').getByTestId('action-rollback');
  // Enabled once the permissions (a SubjectAccessReview per action) are answered.
  await eventually('rollback is enabled for the release manager', () => rollback.isEnabled(), 15_000);
  await rollback.click();
  await page.getByTestId('rollback-reason').fill('smoke test failed');
  await page.getByTestId('confirm').click();
  await page.getByTestId('action-result').waitFor({ timeout: 15_000 });
  const user = `system:serviceaccount:${ns}:release-manager`;
  await eventually('the rollback is in the history under the user', async () =>
    (await k.app(ns, 'core')).status?.history?.some((h) => h.type === 'RolledBack' && h.actor === user),
  );
  await page
    .locator('[data-testid="history-entry"]', { hasText: 'RolledBack' })
    .first()
    .waitFor({ timeout: 15_000 });
  await expect(
    page.locator('[data-testid="history-entry"]', { hasText: 'RolledBack' }).first().textContent(),
  ).resolves.toContain(user);
  await page.screenshot({ path: join(images, 'dashboard-application.png'), fullPage: true });
  expect(await seriousViolations(page)).toEqual([]);
  await page.close();
}, 90_000);

test('a viewer sees the actions disabled with the reason, and a forged write gets 403', async () => {
  const page = await signedIn(viewerToken, `#/app/${ns}/core`);
  await page.getByTestId('app-page').waitFor({ timeout: 30_000 });
  const setVersion = page.getByTestId('env-actions-dev').getByTestId('action-setVersion');
  // Disabled while the permissions are checked, then with the reason the API's 403 would give.
  await eventually(
    'the button says why the viewer may not',
    async () => (await setVersion.getAttribute('title'))?.includes('may not'),
    15_000,
  );
  expect(await setVersion.isEnabled()).toBe(false);
  expect(await setVersion.getAttribute('title')).toContain(
    `user "system:serviceaccount:${ns}:viewer" may not patch applications.depot.sh "core"`,
  );
  const before = (await k.app(ns, 'core')).metadata.resourceVersion;
  const forged = await page.evaluate(
    async ({ url, token }) =>
      (
        await fetch(url, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ version: '6.6.6' }),
        })
      ).status,
    {
      url: `${origin}/api/v1/namespaces/${ns}/applications/core/environments/dev/version`,
      token: viewerToken,
    },
  );
  expect(forged).toBe(403);
  expect((await k.app(ns, 'core')).metadata.resourceVersion).toBe(before);
  await page.close();
}, 60_000);

// The dashboard in Debian's Chromium (playwright-core) against the real
// control plane and the built operator serving the page at / of its HTTP API:
// the matrix shows the applications' versions; `depot set-version` in a
// terminal (the CLI process) updates the cell live; rollback from the
// application page is recorded under the user; a viewer sees the actions
// disabled with the reason and a forged request gets 403; the why panel shows
// the same lines as `depot why` (and a viewer without the rights it needs, the
// 403 sentence); approving from the promotions view promotes the version and
// the history names the user; axe-core finds no serious violation.
// Screenshots go to docs/images/ only with DEPOT_SCREENSHOTS=1 (CI leaves the tree clean).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Promotion } from '../../src/api/promotion.js';
import { Promotions } from '../../src/api/resources.js';
import { freshNamespace } from '../controlplane/env.js';
import { apiBase, serviceAccountToken } from '../kit/http-api.js';
import { application, promotion } from '../kit/objects.js';
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

/** Rewrites docs/images/NAME.png only when asked (DEPOT_SCREENSHOTS=1), so a test run leaves the tree clean. */
async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (process.env.DEPOT_SCREENSHOTS !== '1') return;
  mkdirSync(images, { recursive: true });
  await page.screenshot({ path: join(images, `${name}.png`), fullPage });
}

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
    // Only api is promoted into prod, and only once someone other than its requester approves.
    application(
      'api',
      { environmentSets: ['default'], versions: { dev: '3.0.0', prod: '3.0.0' } },
      { labels: { tier: 'api' } },
    ),
    promotion('to-prod', {
      from: 'dev',
      to: 'prod',
      selector: { matchLabels: { tier: 'api' } },
      requireDeployed: false,
      approval: { required: true },
    }),
  ]);
  const read = { apiGroups: ['depot.sh'], resources: ['applications', 'promotions'], verbs: ['get', 'list'] };
  adminToken = await serviceAccountToken(k.kc, ns, 'release-manager', [
    read,
    // The why panel also reads Environments (freeze windows); the viewer may not.
    { apiGroups: ['depot.sh'], resources: ['environments'], verbs: ['list'] },
    { apiGroups: ['depot.sh'], resources: ['applications', 'promotions'], verbs: ['patch'] },
  ]);
  viewerToken = await serviceAccountToken(k.kc, ns, 'viewer', [read]);
  operator = await runOperator(ns, { args: ['--api-addr', '127.0.0.1:0'] });
  origin = (await apiBase(operator)).replace(/\/api\/v1$/, '');
  await eventually('core has a status', async () => (await k.app(ns, 'core')).status?.targets?.length === 2);
  browser = await launchChromium();
  // axe-core is injected as an inline script, which the page's CSP refuses (as it should).
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
  // The CLI's user (the test kubeconfig) requests api 3.1.0: the release manager is not its requester.
  expect(cliIn(ns)('set-version', 'api', 'dev', '3.1.0')).toMatchObject({ status: 0, stderr: '' });
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
  await screenshot(page, 'dashboard-matrix');
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
  await screenshot(page, 'dashboard-application', true);
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

test('the why panel of a cell shows the same lines as depot why', async () => {
  const page = await signedIn(adminToken);
  await page.locator(cell('api', 'prod')).click({ timeout: 30_000 });
  const panel = page.getByTestId('why-panel');
  await panel.getByTestId('why-lines').waitFor({ timeout: 15_000 });
  // The panel follows the stream: compare once the CLI and the page see the same state (the last pair if never).
  let cli = cliIn(ns)('why', 'api', 'prod');
  let shown = '';
  await eventually(
    'the panel shows what depot why prints',
    async () => {
      cli = cliIn(ns)('why', 'api', 'prod');
      shown = (await panel.getByTestId('why-line').allTextContents()).map((l) => `${l}\n`).join('');
      return shown === cli.stdout;
    },
    15_000,
  ).catch(() => undefined);
  expect(shown).toBe(cli.stdout);
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(1); // not there: it waits for an approval
  expect(cli.stdout).toContain('  - approval: Promotion to-prod: ApprovalRequired');
  await screenshot(page, 'dashboard-why');
  expect(await seriousViolations(page)).toEqual([]);
  await page.close();
}, 60_000);

test('a viewer without the rights the why answer needs sees the 403 sentence in the panel', async () => {
  const page = await signedIn(viewerToken, `#/why/${ns}/api/prod`);
  const error = page.getByTestId('why-panel').getByTestId('why-error');
  await error.waitFor({ timeout: 30_000 });
  const sentence = `user "system:serviceaccount:${ns}:viewer" may not list environments.depot.sh in namespace ${ns}`;
  await expect(error.textContent()).resolves.toContain(sentence);
  expect((await error.textContent())!.split('\n')).toHaveLength(1);
  await expect(page.getByTestId('why-lines').count()).resolves.toBe(0);
  await page.close();
}, 60_000);

test('approving from the promotions view promotes the version, and the history names the approver', async () => {
  const page = await signedIn(adminToken, `#/promotions/${ns}`);
  const item = page.getByTestId('approval-to-prod/api');
  await item.waitFor({ timeout: 30_000 });
  await expect(item.textContent()).resolves.toContain('3.1.0');
  const approve = item.getByTestId('action-approve');
  await eventually('approve is enabled for the release manager', () => approve.isEnabled(), 15_000);
  // The answer reaches the page only after the stream removed the item (a slow network, or a fast
  // controller): the page must still say what happened, although the item it was asked from is gone.
  let itemGoneFirst = false;
  await page.route('**/promotions/to-prod/approvals', async (route) => {
    const response = await route.fetch();
    await item.waitFor({ state: 'detached', timeout: 30_000 });
    itemGoneFirst = true;
    await route.fulfill({ response });
  });
  await approve.click();
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('action-result').textContent({ timeout: 45_000 })).resolves.toBe(
    'Approved api 3.1.0.',
  );
  expect(itemGoneFirst).toBe(true);
  const user = `system:serviceaccount:${ns}:release-manager`;
  expect((await k.read<Promotion>(Promotions, ns, 'to-prod')).spec.approvals).toEqual([
    { application: 'api', version: '3.1.0', approver: user },
  ]);
  const promoted = await k.appWhen(ns, 'api', 'api 3.1.0 is promoted into prod', (a) =>
    a.status?.history?.some((h) => h.type === 'Promoted' && h.to === '3.1.0'),
  );
  expect(promoted.spec.versions!.prod).toBe('3.1.0');
  // Four eyes: the approver is not the one who requested 3.1.0 (the CLI's user in beforeAll).
  const requested = promoted.status!.history!.find((h) => h.type === 'Requested' && h.to === '3.1.0');
  expect(requested?.actor).toBeTruthy();
  expect(requested!.actor).not.toBe(user);
  expect(promoted.status!.history!.find((h) => h.type === 'Promoted' && h.to === '3.1.0')).toMatchObject({
    environment: 'prod',
    actor: 'promotion to-prod',
    message: expect.stringContaining(`approved by ${user}`),
  });
  // The page follows: nothing waits any more, the cell moves, the application's history names the approver.
  await item.waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByRole('link', { name: 'Matrix' }).click();
  await page.locator(`${cell('api', 'prod')}[data-desired="3.1.0"]`).waitFor({ timeout: 15_000 });
  await page.getByRole('link', { name: 'api', exact: true }).click();
  const entry = page.locator('[data-testid="history-entry"]', { hasText: 'Promoted' }).first();
  await entry.waitFor({ timeout: 15_000 });
  await expect(entry.textContent()).resolves.toContain(`approved by ${user}`);
  await page.close();
}, 90_000);

test('approving from the why panel of a waiting cell promotes the version too', async () => {
  expect(cliIn(ns)('set-version', 'api', 'dev', '3.2.0')).toMatchObject({ status: 0, stderr: '' });
  const page = await signedIn(adminToken, `#/why/${ns}/api/prod`);
  const panel = page.getByTestId('why-panel');
  const waiting = panel.getByTestId('approval-to-prod/api');
  await eventually(
    'the panel offers the approval of 3.2.0',
    async () => (await waiting.count()) === 1 && (await waiting.textContent())!.includes('3.2.0'),
    30_000,
  );
  const approve = waiting.getByTestId('action-approve');
  await eventually('approve is enabled for the release manager', () => approve.isEnabled(), 15_000);
  await approve.click();
  await page.getByTestId('confirm').click();
  await expect(panel.getByTestId('action-result').textContent({ timeout: 30_000 })).resolves.toBe(
    'Approved api 3.2.0.',
  );
  const user = `system:serviceaccount:${ns}:release-manager`;
  expect((await k.read<Promotion>(Promotions, ns, 'to-prod')).spec.approvals).toContainEqual({
    application: 'api',
    version: '3.2.0',
    approver: user,
  });
  const promoted = await k.appWhen(ns, 'api', 'api 3.2.0 is promoted into prod', (a) =>
    a.status?.history?.some((h) => h.type === 'Promoted' && h.to === '3.2.0'),
  );
  expect(promoted.spec.versions!.prod).toBe('3.2.0');
  // The panel follows: nothing waits any more.
  await waiting.waitFor({ state: 'detached', timeout: 15_000 });
  await page.close();
}, 90_000);

// The story the demo tells, the same on the local control plane and on an
// existing cluster: each step acts as CI, Argo CD or a person would, waits
// for the operator's answer, shows the version table and the history, and
// ends with one sentence saying what it showed — printed only after the
// demo has checked it.
import type { Promotion } from '../../api/promotion.js';
import { parseDuration } from '../../kube/duration.js';
import { ARGOCD_NAMESPACE } from '../demo-argocd.js';
import { DEMO_SOAK } from './install.js';
import { deployedOn, envOf, say, type Tour } from './tour.js';
import { ConditionType } from '../../api/conditions.js';

const result = (p: Promotion, app: string) => p.status?.results?.find((r) => r.application === app);

/** The operator has computed every cell and "Argo CD" has synced the dev Applications. */
export async function converge(t: Tour): Promise<void> {
  t.begin('The operator computes every application × environment (desired version per cell)');
  await t.until('3 Applications with 3 environments each in status', async () => {
    const apps = await t.apps();
    return apps.length === 3 && apps.every((a) => (a.status?.environments?.length ?? 0) === 3);
  });
  await t.until(`Argo CD Application ${ARGOCD_NAMESPACE}/core-dev to get 1.12.1`, async () => {
    return (await t.argo.revision('core-dev')) === '1.12.1';
  });
  say('Argo CD (the real application controller and repo-server) syncs the dev Applications from Git');
  for (const app of ['core', 'dash', 'ide']) await t.argoSync(`${app}-dev`);
  await t.untilApp(
    'core',
    'core 1.12.1 reported deployed on dev-argocd',
    (a) => deployedOn(a, 'dev-argocd') === '1.12.1',
  );
  t.cli(['get', 'applications']);
}

export async function ciSetsDev(t: Tour): Promise<void> {
  t.begin('Step 1: CI built core 1.12.2 and requests it in dev');
  t.cli(['set-version', 'core', 'dev', '1.12.2']);
  await t.untilApp('core', 'core 1.12.2 desired in dev', (a) => envOf(a, 'dev')?.desired === '1.12.2');
  await t.until(`Argo CD Application ${ARGOCD_NAMESPACE}/core-dev to get 1.12.2`, async () => {
    return (await t.argo.revision('core-dev')) === '1.12.2';
  });
  say(
    `Depot wrote it into the Argo CD Application ${ARGOCD_NAMESPACE}/core-dev: spec.source.targetRevision = ${await t.argo.revision('core-dev')}`,
  );
  say('Argo CD has not synced it yet: the table marks the drift (desired ≠ deployed)');
  t.cli(['get', 'applications']);
  say('Argo CD syncs core-dev; Depot reads the deployed version back from its status');
  await t.argoSync('core-dev');
  await t.untilApp(
    'core',
    'core 1.12.2 reported deployed on dev-argocd',
    (a) => deployedOn(a, 'dev-argocd') === '1.12.2',
  );
  t.cli(['get', 'applications']);
  t.cli(['history', 'core', '--limit', '3']);
  t.shows(
    'core 1.12.2 from CI became desired in dev, was written into the Argo CD Application, synced by Argo CD into the ConfigMap, and is reported deployed from that Application’s status.',
  );
}

export async function promotedToStaging(t: Tour): Promise<void> {
  t.begin(
    `Step 2: the Promotion dev-to-staging moves it to staging after its soak (${DEMO_SOAK} in the demo)`,
  );
  await t.untilApp(
    'core',
    'core 1.12.2 promoted to staging by dev-to-staging',
    (a) =>
      envOf(a, 'staging')?.desired === '1.12.2' && envOf(a, 'staging')?.setBy === 'promotion dev-to-staging',
  );
  // What the sentence below says, checked on the history: deployed in dev first, then the soak.
  const core = await t.untilApp('core', 'the history of core', () => true);
  const history = core.status?.history ?? [];
  const at = (type: string, env: string) =>
    history.find((h) => h.type === type && h.environment === env && h.to === '1.12.2')?.time;
  const desiredSince = envOf(core, 'dev')?.desiredSince;
  const [deployed, promoted] = [at('Deployed', 'dev'), at('Promoted', 'staging')];
  if (
    !desiredSince ||
    !deployed ||
    !promoted ||
    Date.parse(promoted) < Date.parse(deployed) ||
    Date.parse(promoted) - Date.parse(desiredSince) < parseDuration(DEMO_SOAK)
  )
    throw new Error(
      `Step 2: the history of core does not show 1.12.2 deployed in dev and soaked ${DEMO_SOAK} before its promotion (desired in dev since ${desiredSince}, Deployed ${deployed}, Promoted ${promoted})`,
    );
  t.cli(['get', 'applications']);
  t.cli(['history', 'core', '--limit', '1']);
  t.shows(
    `dev-to-staging promoted core 1.12.2 to staging after Argo CD reported it deployed in dev, and at least ${DEMO_SOAK} after it became desired there.`,
  );
}

export async function blockedUntilRequirement(t: Tour): Promise<void> {
  t.begin('Step 3: dash 2.0.1 is requested in prod, where core is still 1.11.3');
  t.cli(['set-version', 'dash', 'prod', '2.0.1']);
  const dash = await t.untilApp(
    'dash',
    'dash 2.0.1 blocked in prod (RequirementNotMet)',
    (a) =>
      envOf(a, 'prod')?.blocked?.reason === 'RequirementNotMet' && envOf(a, 'prod')?.requested === '2.0.1',
  );
  const compatible = dash.status?.conditions?.find((c) => c.type === ConditionType.Compatible);
  say(
    `Depot does not deliver it: prod keeps dash ${envOf(dash, 'prod')?.desired}; condition Compatible=${compatible?.status} (${compatible?.reason}): ${compatible?.message}`,
  );
  t.cli(['get', 'applications']);
  t.cli(['check', 'dash@2.0.1', '--env', 'prod'], 1);
  t.cli(['history', 'dash', '--limit', '2']);
  say('\nThe requirement is promoted: core 1.12.2 from staging to prod');
  t.cli(['promote', 'core', 'prod']);
  await t.untilApp(
    'dash',
    'dash 2.0.1 desired in prod',
    (a) => envOf(a, 'prod')?.desired === '2.0.1' && !envOf(a, 'prod')?.blocked,
  );
  await t.untilApp('core', 'core 1.12.2 desired in prod', (a) => envOf(a, 'prod')?.desired === '1.12.2');
  await t.until(`Argo CD Application ${ARGOCD_NAMESPACE}/dash to get image.tag 2.0.1`, async () => {
    return (await t.argo.helmParameter('dash', 'image.tag')) === '2.0.1';
  });
  say(
    `Depot wrote it into the Argo CD Application ${ARGOCD_NAMESPACE}/dash: Helm parameter image.tag = 2.0.1`,
  );
  t.cli(['get', 'applications']);
  t.cli(['history', 'dash', '--limit', '4']);
  t.shows(
    'dash 2.0.1 waited in prod (RequirementNotMet) while prod ran core 1.11.3, and was delivered once core 1.12.2 was promoted to prod.',
  );
}

export async function rejectedAndRolledBack(t: Tour): Promise<void> {
  t.begin('Step 4: CI builds core 1.12.3; it reaches staging, and it is bad');
  t.cli(['set-version', 'core', 'dev', '1.12.3']);
  await t.until(`Argo CD Application ${ARGOCD_NAMESPACE}/core-dev to get 1.12.3`, async () => {
    return (await t.argo.revision('core-dev')) === '1.12.3';
  });
  say('Argo CD syncs core-dev; after the soak the Promotion moves 1.12.3 to staging');
  await t.argoSync('core-dev');
  await t.untilApp(
    'core',
    'core 1.12.3 promoted to staging',
    (a) => envOf(a, 'staging')?.desired === '1.12.3',
  );
  t.cli(['get', 'applications']);

  say('\n1.12.3 corrupts uploads: roll staging back to the previous version');
  t.cli(['rollback', 'core', 'staging', '--reason', 'corrupts uploads']);
  await t.untilApp(
    'core',
    'core back on 1.12.2 in staging',
    (a) => envOf(a, 'staging')?.desired === '1.12.2',
  );
  const held = await t.untilPromotion(
    'dev-to-staging',
    'the Promotion dev-to-staging to hold core',
    (p) => result(p, 'core')?.outcome === 'Held',
  );
  say(`Promotion dev-to-staging, core: Held: ${result(held, 'core')?.reason}`);
  t.cli(['get', 'promotions']);

  say('\nand never promote 1.12.3 again, wherever it is');
  t.cli(['reject', 'core', '1.12.3', '--reason', 'corrupts uploads']);
  await t.untilApp(
    'core',
    'core flagged Rejected (dev still runs 1.12.3)',
    (a) =>
      a.status?.conditions?.some((c) => c.type === ConditionType.Rejected && c.status === 'True') ?? false,
  );
  t.cli(['get', 'applications']);

  say('\nThe hold is no longer needed: release it');
  t.cli(['release', 'core', 'staging']);
  const released = await t.untilPromotion(
    'dev-to-staging',
    'the hold on core to end, and core 1.12.3 blocked as rejected',
    (p) =>
      !(p.status?.holds ?? []).some((h) => h.application === 'core') &&
      result(p, 'core')?.outcome === 'Blocked' &&
      (result(p, 'core')?.reason ?? '').startsWith('rejected by'),
  );
  say(`Promotion dev-to-staging, core: Blocked: ${result(released, 'core')?.reason}`);
  await t.untilApp(
    'core',
    'core still on 1.12.2 in staging',
    (a) => envOf(a, 'staging')?.desired === '1.12.2',
  );
  t.cli(['get', 'applications']);
  t.cli(['history', 'core', '--limit', '4']);
  t.shows(
    'the rollback put staging back on 1.12.2 and held core in dev-to-staging until `depot release`; after the release the Promotion still does not promote 1.12.3, because it is rejected (dev keeps it, flagged REJECTED).',
  );
}

export async function tellTheStory(t: Tour): Promise<void> {
  await converge(t);
  await ciSetsDev(t);
  await promotedToStaging(t);
  await blockedUntilRequirement(t);
  await rejectedAndRolledBack(t);
}

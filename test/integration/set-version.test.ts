// `depot set-version APP ENV VERSION` refuses an environment the application
// does not have (a typo such as `prd`), like `depot promote` does, whether or
// not the operator has written the application's status yet.
import { application, environment, environmentSet } from '../kit/objects.js';
import { cluster } from '../kit/cluster.js';
import { depotCli, startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const getApp = k.app;

async function setup(ns: string): Promise<void> {
  await k.apply(ns, [
    environment('dev'),
    environment('staging'),
    environment('prod'),
    environment('tools'),
    environmentSet('default', ['dev', 'staging', 'prod']),
    application('core', { environmentSets: ['default'], versions: { dev: '1.0.0' } }),
    // Direct environments count as well as the sets'.
    application('tool', { environmentSets: ['default'], environments: [{ name: 'tools' }] }),
    // Its set does not exist (yet): it has no environment at all.
    application('orphan', { environmentSets: ['missing'] }),
  ]);
}

const refused = (res: { status: number | null; stdout: string; stderr: string }, line: string) => {
  expect(res.stdout).toBe('');
  expect(res.stderr).toBe(`${line}\n`);
  expect(res.status).toBe(1);
};

describe('before the operator has written any status', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'setver');
    await setup(ns);
  });

  test('an environment the application does not have is refused with the list of its environments', async () => {
    expect((await getApp(ns, 'core')).status).toBeUndefined();
    refused(
      depotCli(kubeconfig, ns, 'set-version', 'core', 'nowhere', '1.0.0'),
      'error: nowhere is not an environment of core (dev, staging, prod)',
    );
    refused(
      depotCli(kubeconfig, ns, 'set-version', 'tool', 'prd', '1.0.0', '--force'),
      'error: prd is not an environment of tool (dev, staging, prod, tools)',
    );
    // Nothing was written.
    const core = await getApp(ns, 'core');
    expect(core.spec.versions).toEqual({ dev: '1.0.0' });
    expect(core.metadata.annotations ?? {}).toEqual({});
    expect((await getApp(ns, 'tool')).spec.versions ?? {}).toEqual({});
  });

  test('an application whose EnvironmentSet does not exist has no environment: the error says why', () => {
    refused(
      depotCli(kubeconfig, ns, 'set-version', 'orphan', 'dev', '1.0.0'),
      `error: dev is not an environment of orphan (none: EnvironmentSet "missing" does not exist in namespace ${ns})`,
    );
  });

  test("the application's environments, from its sets and its own list, are accepted", async () => {
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'staging', '1.0.0')).toMatchObject({
      status: 0,
      stderr: '',
      stdout: 'core: staging requested 1.0.0\n',
    });
    expect(depotCli(kubeconfig, ns, 'set-version', 'tool', 'tools', '2.0.0').status).toBe(0);
    expect((await getApp(ns, 'core')).spec.versions).toEqual({ dev: '1.0.0', staging: '1.0.0' });
    expect((await getApp(ns, 'tool')).spec.versions).toEqual({ tools: '2.0.0' });
  });
});

describe('with the operator running', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'setver');
    await setup(ns);
    operator = startOperator(kubeconfig, ns);
  });
  afterAll(async () => operator?.stop());

  test('set-version refuses what promote refuses, and writes nothing', async () => {
    await eventually(
      'core has a status for its three environments',
      async () => (await getApp(ns, 'core')).status?.environments?.length === 3,
    );
    const before = await getApp(ns, 'core');
    refused(
      depotCli(kubeconfig, ns, 'set-version', 'core', 'nowhere', '1.0.0'),
      'error: nowhere is not an environment of core (dev, staging, prod)',
    );
    refused(
      depotCli(kubeconfig, ns, 'promote', 'core', 'nowhere'),
      'error: nowhere is not an environment of core (dev, staging, prod)',
    );
    const after = await getApp(ns, 'core');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.versions).toEqual({ dev: '1.0.0' });
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'prod', '1.0.0').status).toBe(0);
  });

  test('the EnvironmentSet as it is now decides, not a status written before it changed', async () => {
    await operator.stop();
    await k.apply(ns, [environmentSet('default', ['dev', 'staging'])]);
    expect((await getApp(ns, 'core')).status?.environments?.map((e) => e.name)).toContain('prod');
    refused(
      depotCli(kubeconfig, ns, 'set-version', 'core', 'prod', '1.0.1'),
      'error: prod is not an environment of core (dev, staging)',
    );
  });
});

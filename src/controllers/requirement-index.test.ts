import type { KubeObject } from '../kube/resource.js';
import { RequirementIndex } from './requirement-index.js';

const appObj = (name: string, requires: string[] = [], namespace = 'ns'): KubeObject =>
  ({
    metadata: { name, namespace },
    spec: { compatibility: requires.map((application) => ({ requires: { application, versions: '*' } })) },
  }) as KubeObject;
const names = (reqs: { name: string }[]) => reqs.map((r) => r.name);

describe('the requirement index', () => {
  test('a change re-evaluates the applications with a rule on it and those it requires, nothing else', () => {
    const index = new RequirementIndex();
    expect(names(index.observe(appObj('core'), 'add'))).toEqual([]);
    expect(names(index.observe(appObj('dash', ['core']), 'add'))).toEqual(['core']);
    expect(names(index.observe(appObj('ide', ['core']), 'add'))).toEqual(['core']);
    index.observe(appObj('other'), 'add');
    index.observe(appObj('core', [], 'elsewhere'), 'add');
    expect(names(index.observe(appObj('core'), 'update'))).toEqual(['dash', 'ide']);
    expect(index.ownersOf('elsewhere', 'core')).toEqual([]);
  });

  test('a rule removed or an application deleted leaves the index', () => {
    const index = new RequirementIndex();
    index.observe(appObj('dash', ['core']), 'add');
    // The rule is gone: core is re-evaluated once more (its choice may change), then no longer.
    expect(names(index.observe(appObj('dash'), 'update'))).toEqual(['core']);
    expect(index.ownersOf('ns', 'core')).toEqual([]);
    index.observe(appObj('ide', ['core']), 'add');
    index.observe(appObj('ide', ['core']), 'delete');
    expect(names(index.observe(appObj('core'), 'update'))).toEqual([]);
  });

  test('a malformed spec is tolerated', () => {
    const index = new RequirementIndex();
    const junk = {
      metadata: { name: 'x', namespace: 'ns' },
      spec: { compatibility: [null, { requires: 7 }] },
    };
    expect(index.observe(junk as unknown as KubeObject, 'add')).toEqual([]);
  });
});

import { AUTHORIZED_TARGETS_ANNOTATION } from '../api/annotations.js';
import type { KubeObject } from '../kube/resource.js';
import { authorizedTargets, isAuthorized, unauthorizedMessage } from './authorization.js';

const annotated = (value?: string): KubeObject => ({
  metadata: {
    name: 'core',
    annotations: value === undefined ? {} : { [AUTHORIZED_TARGETS_ANNOTATION]: value },
  },
});

describe('the owner opt-in annotation', () => {
  test('lists targets, comma-separated, spaces and empty entries ignored', () => {
    expect(authorizedTargets(annotated(' team-a/prod , ,team-b/* '))).toEqual(['team-a/prod', 'team-b/*']);
  });

  test('authorizes the named target and every target of a namespace with *', () => {
    const obj = annotated('team-a/prod,team-b/*');
    expect(isAuthorized(obj, { namespace: 'team-a', name: 'prod' })).toBe(true);
    expect(isAuthorized(obj, { namespace: 'team-b', name: 'anything' })).toBe(true);
  });

  test('refuses other targets, other namespaces, and objects without the annotation', () => {
    const obj = annotated('team-a/prod');
    expect(isAuthorized(obj, { namespace: 'team-a', name: 'dev' })).toBe(false);
    expect(isAuthorized(obj, { namespace: 'team-c', name: 'prod' })).toBe(false);
    expect(isAuthorized(annotated(), { namespace: 'team-a', name: 'prod' })).toBe(false);
    expect(isAuthorized({ metadata: {} }, { namespace: 'team-a', name: 'prod' })).toBe(false);
  });

  test('a prefix or a wildcard in another place is not a match', () => {
    expect(isAuthorized(annotated('team-a/prod-*'), { namespace: 'team-a', name: 'prod-1' })).toBe(false);
    expect(isAuthorized(annotated('*/prod'), { namespace: 'team-a', name: 'prod' })).toBe(false);
  });

  test('the refusal names the object, the annotation and the entry to add', () => {
    expect(unauthorizedMessage('HelmRelease flux-system/core', { namespace: 'team-a', name: 'prod' })).toBe(
      'HelmRelease flux-system/core does not authorize Target team-a/prod: add "team-a/prod" (or "team-a/*") to its annotation depot.sh/authorized-targets',
    );
  });
});

import { parseRoute, routeHash, type Route } from './routes.js';

describe('hash routes', () => {
  const cases: [string, Route][] = [
    ['#/', { page: 'matrix', filter: { text: '', state: '', namespace: '' } }],
    [
      '#/?q=core+tier%3Dfront&state=blocked&ns=team-a',
      { page: 'matrix', filter: { text: 'core tier=front', state: 'blocked', namespace: 'team-a' } },
    ],
    ['#/app/team-a/core', { page: 'app', namespace: 'team-a', app: 'core' }],
    [
      '#/why/team-a/core/prod?version=1.2.0',
      { page: 'why', namespace: 'team-a', app: 'core', environment: 'prod', version: '1.2.0' },
    ],
    ['#/why/team-a/core/prod', { page: 'why', namespace: 'team-a', app: 'core', environment: 'prod' }],
    ['#/promotions/team-a', { page: 'promotions', namespace: 'team-a' }],
    ['#/compat/team-a', { page: 'compat', namespace: 'team-a' }],
  ];
  it.each(cases)('%s round-trips', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('accepts the #/ns/NS/app/APP alias and escapes odd characters', () => {
    expect(parseRoute('#/ns/team-a/app/core')).toEqual({ page: 'app', namespace: 'team-a', app: 'core' });
    const why: Route = { page: 'why', namespace: 'a', app: 'b', environment: 'c', version: '1.0.0+build/7' };
    expect(parseRoute(routeHash(why))).toEqual(why);
  });

  it('falls back to the matrix on anything else, including broken escapes', () => {
    for (const h of ['', '#', '#/nope', '#/app/only-ns', '#/app/%E0%A4%A/x'])
      expect(parseRoute(h).page).toBe('matrix');
  });
});

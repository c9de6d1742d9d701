// A token counts only when the API server says it was made for one of the
// accepted audiences; the TokenReview names them, and the 401 names the one to request.
import type { KubeObject } from '../kube/resource.js';
import { KubeAccessReviewer } from './access-review.js';
import { audienceRefusal, audienceUser } from './token-audiences.js';

const user = { username: 'system:serviceaccount:team-a:agent' };

test.each([
  ['made for depot', { authenticated: true, user, audiences: ['depot'] }, user],
  [
    'for the API server only (empty: an audience-unaware answer)',
    { authenticated: true, user, audiences: [] },
    null,
  ],
  ['without status.audiences', { authenticated: true, user }, null],
  ['for another audience', { authenticated: true, user, audiences: ['vault'] }, null],
  ['not authenticated', { authenticated: false, audiences: ['depot'] }, null],
  ['without a username', { authenticated: true, user: { username: '' }, audiences: ['depot'] }, null],
])('a token %s', (_, status, expected) => {
  expect(audienceUser(status, ['depot'])).toEqual(expected);
});

test('the TokenReview carries the accepted audiences, and only a token for one of them passes', async () => {
  const sent: KubeObject[] = [];
  let answer: object = {};
  const reviewer = new KubeAccessReviewer(
    {
      create: async <T extends KubeObject>(_: unknown, body: KubeObject) => {
        sent.push(body);
        return { ...body, status: answer } as unknown as T;
      },
    },
    { audiences: ['depot', 'https://kubernetes.default.svc'] },
  );
  answer = { authenticated: true, user, audiences: ['https://kubernetes.default.svc'] };
  expect(await reviewer.authenticate('legacy')).toEqual(user);
  answer = { authenticated: true, user };
  expect(await reviewer.authenticate('unaware')).toBeUndefined();
  expect(sent.map((b) => (b as { spec?: unknown }).spec)).toEqual([
    { token: 'legacy', audiences: ['depot', 'https://kubernetes.default.svc'] },
    { token: 'unaware', audiences: ['depot', 'https://kubernetes.default.svc'] },
  ]);
  expect(new KubeAccessReviewer({ create: async <T extends KubeObject>() => ({}) as T }).audiences).toEqual([
    'depot',
  ]);
});

test('the refusal names the audience to request', () => {
  expect(audienceRefusal(['depot'])).toBe(
    'the bearer token was not accepted by the Kubernetes API server for the audience depot: request a token for depot (kubectl create token <serviceaccount> --audience depot, or a projected ServiceAccount token with audience: depot)',
  );
  expect(audienceRefusal(['depot', 'https://kubernetes.default.svc'])).toMatch(
    /^the bearer token was not accepted by the Kubernetes API server for the audiences depot, https:\/\/kubernetes.default.svc: request a token for depot /,
  );
});

import { PromotionViewSchema } from '../api/http.js';
import { promotionView } from './api-views.js';
import { promotion } from './testing/builders.js';

test('the promotion view serves verification: spec.verify without where its gates call, and status.verifications', () => {
  const record = {
    application: 'core',
    version: '1.2.0',
    phase: 'Failed' as const,
    promotedAt: '2026-12-07T10:00:00Z',
    finishedAt: '2026-12-07T10:05:00Z',
    action: 'RolledBack' as const,
    message: 'verification gate errors failed: 0.5 does not satisfy < 0.01; prod rolled back to 1.1.0',
  };
  const view = promotionView(
    promotion(
      'to-prod',
      {
        from: 'staging',
        to: 'prod',
        verify: {
          for: '15m',
          gates: [{ name: 'errors', interval: '30s', http: { url: 'https://checks.example.com/e' } }],
          onFailure: 'rollback',
          reject: true,
        },
      },
      { status: { verifications: [record] } },
    ),
  );
  expect(PromotionViewSchema.parse(view)).toEqual(view);
  expect(view.verify).toEqual({
    for: '15m',
    onFailure: 'rollback',
    reject: true,
    gates: [{ name: 'errors', kind: 'http', interval: '30s' }],
  });
  expect(view.requireVerified).toBe(false);
  expect(view.verifications).toEqual([record]);
  expect(JSON.stringify(view)).not.toContain('checks.example.com');
});

import { promotion } from '../testing/builders.js';
import { verificationFacts, verificationHistory } from './verification-history.js';

const finished = (phase: 'Verified' | 'Failed' | 'Verifying') =>
  promotion(
    'staging-to-prod',
    { from: 'staging', to: 'prod' },
    {
      status: {
        verifications: [
          {
            application: 'core',
            version: '1.1.0',
            phase,
            promotedAt: '2026-11-20T12:00:00Z',
            ...(phase === 'Verifying' ? {} : { finishedAt: '2026-11-20T12:01:00Z' }),
            message: 'verification gate errors failed: value 0.5 is not < 0.01',
          },
        ],
      },
    },
  );

describe('verification history', () => {
  test('a finished verification is one entry, recorded once', () => {
    const facts = verificationFacts('core', [finished('Failed')]);
    const [entry] = verificationHistory([], facts);
    expect(entry).toEqual({
      time: '2026-11-20T12:01:00.000Z',
      type: 'VerificationFailed',
      environment: 'prod',
      to: '1.1.0',
      actor: 'promotion/staging-to-prod',
      message:
        '1.1.0 failed verification in prod (Promotion staging-to-prod): verification gate errors failed: value 0.5 is not < 0.01',
    });
    expect(verificationHistory([{ id: 'x', ...entry! }], facts)).toEqual([]);
    expect(verificationHistory([], verificationFacts('core', [finished('Verified')]))[0]!.type).toBe(
      'Verified',
    );
  });

  test('one in progress, or of another application, records nothing', () => {
    expect(verificationFacts('core', [finished('Verifying')])).toEqual([]);
    expect(verificationFacts('dash', [finished('Verified')])).toEqual([]);
  });
});

import { isConverged, isRequested, summarize } from '../convergence.js';

const app = (dev: string, states: string[], desiredOnTargets = dev) =>
  summarize({
    metadata: { name: 'app-00001' },
    spec: { versions: { dev, staging: '1.0.0' } },
    status: {
      environments: [
        { name: 'dev', desired: dev },
        { name: 'staging', desired: '1.0.0' },
      ],
      targets: [
        ...states.map((state, i) => ({
          name: `dev-${i}`,
          environment: 'dev',
          desired: desiredOnTargets,
          delivery: { state },
        })),
        { name: 'staging-a', environment: 'staging', desired: '1.0.0', delivery: { state: 'Delivered' } },
      ],
    },
  });

test('converged: desired in the environment and delivered on each of its targets', () => {
  expect(isConverged(app('1.1.0', ['Delivered', 'Delivered']), { dev: '1.1.0' }, 2)).toBe(true);
  expect(isConverged(app('1.1.0', ['Delivered', 'Pending']), { dev: '1.1.0' }, 2)).toBe(false);
  expect(isConverged(app('1.1.0', ['Delivered', 'Delivered'], '1.0.0'), { dev: '1.1.0' }, 2)).toBe(false);
  expect(isConverged(app('1.0.0', ['Delivered', 'Delivered']), { dev: '1.1.0' }, 2)).toBe(false);
  // A target not in the status yet is not delivered.
  expect(isConverged(app('1.1.0', ['Delivered']), { dev: '1.1.0' }, 2)).toBe(false);
  expect(isConverged(undefined, { dev: '1.1.0' }, 2)).toBe(false);
  expect(isConverged(summarize({ metadata: { name: 'new' } }), { dev: '1.0.0' }, 1)).toBe(false);
});

test('requested: spec.versions holds the version (a promotion has written it)', () => {
  expect(isRequested(app('1.1.0', []), { dev: '1.1.0', staging: '1.0.0' })).toBe(true);
  expect(isRequested(app('1.1.0', []), { staging: '1.1.0' })).toBe(false);
});

import { promotion } from '../testing/builders.js';
import { cyclesByPromotion, findPromotionCycles } from './cycles.js';

describe('promotion cycles', () => {
  test('cycles are found on every promotion that takes part, with the path and the Promotions', () => {
    const cycles = cyclesByPromotion([
      promotion('a-b', { from: 'a', to: 'b' }),
      promotion('b-a', { from: 'b', to: 'a' }),
      promotion('dev-staging', { from: 'dev', to: 'staging' }),
      promotion('x-y', { from: 'x', to: 'y' }),
      promotion('y-z', { from: 'y', to: 'z' }),
      promotion('z-x', { from: 'z', to: 'x' }),
    ]);
    expect([...cycles.keys()].sort()).toEqual(['a-b', 'b-a', 'x-y', 'y-z', 'z-x']);
    expect(cycles.get('a-b')).toBe('promotion cycle a → b → a (Promotions a-b, b-a)');
    expect(cycles.get('b-a')).toBe('promotion cycle a → b → a (Promotions a-b, b-a)');
    expect(cycles.get('x-y')).toBe('promotion cycle x → y → z → x (Promotions x-y, y-z, z-x)');
    expect(cycles.get('z-x')).toBe('promotion cycle x → y → z → x (Promotions x-y, y-z, z-x)');
  });

  test('a chain into a cycle marks only the Promotions on the cycle', () => {
    const chain = [
      promotion('dev-staging', { from: 'dev', to: 'staging' }),
      promotion('staging-prod', { from: 'staging', to: 'prod' }),
      promotion('prod-staging', { from: 'prod', to: 'staging' }),
      promotion('prod-dr', { from: 'prod', to: 'dr' }),
    ];
    const cycles = findPromotionCycles(
      chain,
      (p) => p.spec,
      (p) => p.metadata.name,
    );
    expect(cycles.map((c) => [c.path, c.members.map((p) => p.metadata.name)])).toEqual([
      ['prod → staging → prod', ['prod-staging', 'staging-prod']],
    ]);
  });

  test('a Promotion from an environment to itself is a cycle', () => {
    expect(cyclesByPromotion([promotion('loop', { from: 'dev', to: 'dev' })]).get('loop')).toBe(
      'promotion cycle dev → dev (Promotions loop)',
    );
  });
});

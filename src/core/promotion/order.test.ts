import { app } from '../testing/builders.js';
import { orderByRequirements, requirementLevels } from './order.js';

describe('requirement order', () => {
  test('required applications are written first', () => {
    const dash = app('dash', {
      compatibility: [{ requires: { application: 'core', versions: '>=1.12.0' } }],
    });
    const ide = app('ide', { compatibility: [{ requires: { application: 'dash', versions: '>=2.0.0' } }] });
    const core = app('core');
    const order = orderByRequirements(
      [
        { application: 'ide', version: '1' },
        { application: 'dash', version: '2' },
        { application: 'core', version: '3' },
      ],
      [dash, ide, core],
    );
    expect(order.map((w) => w.application)).toEqual(['core', 'dash', 'ide']);
  });

  test('independent writes share a level; a requirement comes a level earlier', () => {
    const apps = [
      app('core', {}),
      app('dash', { compatibility: [{ requires: { application: 'core', versions: '>=1.0.0' } }] }),
      app('ide', { compatibility: [{ requires: { application: 'dash', versions: '>=1.0.0' } }] }),
      app('web', {}),
    ];
    const writes = ['core', 'dash', 'ide', 'web'].map((application) => ({ application, version: '1.0.0' }));
    const levels = requirementLevels(orderByRequirements(writes, apps), apps);
    expect(levels.map((l) => l.map((w) => w.application))).toEqual([['core', 'web'], ['dash'], ['ide']]);
  });

  test('a chain of rules across 1,000 applications is ordered, one level per link', () => {
    const apps = Array.from({ length: 1000 }, (_, i) =>
      app(
        `app-${i}`,
        i === 0
          ? {}
          : { compatibility: [{ requires: { application: `app-${i - 1}`, versions: '>=1.0.0' } }] },
      ),
    );
    const writes = [...apps].reverse().map((a) => ({ application: a.metadata.name, version: '1.0.0' }));
    const ordered = orderByRequirements(writes, apps);
    expect(ordered[0]!.application).toBe('app-0');
    expect(ordered[999]!.application).toBe('app-999');
    expect(requirementLevels(ordered, apps)).toHaveLength(1000);
  });
});

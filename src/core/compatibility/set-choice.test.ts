import type { CompatibilityRule } from '../../api/application.js';
import { RuleBook, type Member } from './rules.js';
import { chooseRequests } from './set-choice.js';

const requires = (application: string, versions: string, when?: string): CompatibilityRule => ({
  ...(when !== undefined ? { when } : {}),
  requires: { application, versions },
});
const book = (rules: Record<string, CompatibilityRule[]>) =>
  new RuleBook(
    new Map(Object.entries(rules).map(([name, r]) => [name, { name, scheme: 'semver', rules: r } as Member])),
  );
const map = (o: Record<string, string>) => new Map(Object.entries(o));

const dashRules = [
  requires('core', '>=1.12.0 <2.0.0', '>=2.0.0'),
  requires('core', '>=1.9.0 <1.12.0', '<2.0.0'),
];

describe('the set of pending requests that moves', () => {
  test('a request that breaks its own rule stays blocked, with the message', () => {
    const choice = chooseRequests({
      book: book({ core: [], dash: dashRules }),
      place: 'staging',
      current: map({ core: '1.11.3', dash: '1.9.4' }),
      pending: map({ dash: '2.0.0' }),
    });
    expect(choice.chosen).toEqual([]);
    expect(choice.blocked.get('dash')!.map((v) => v.message)).toEqual([
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; staging runs core 1.11.3',
    ]);
  });

  test('both ways: core that breaks the rule of dash stays blocked, naming the rule of dash', () => {
    const choice = chooseRequests({
      book: book({ core: [], dash: dashRules }),
      place: 'prod',
      current: map({ core: '1.11.3', dash: '1.9.4' }),
      pending: map({ core: '1.12.0' }),
    });
    expect(choice.chosen).toEqual([]);
    expect(choice.blocked.get('core')!.map((v) => [v.application, v.rule])).toEqual([['dash', 1]]);
  });

  test('versions that only work together move together, core before dash', () => {
    const choice = chooseRequests({
      book: book({ core: [], dash: dashRules }),
      place: 'prod',
      current: map({ core: '1.11.3', dash: '1.9.4' }),
      pending: map({ core: '1.12.0', dash: '2.0.0' }),
    });
    expect(choice.chosen).toEqual(['core', 'dash']);
    expect(choice.after.get('dash')).toEqual(['core']);
    expect(choice.after.has('core')).toBe(false);
    expect(choice.exact).toBe(true);
  });

  test('a chain a requires b requires c moves as a whole, in order c, b, a', () => {
    const rules = {
      a: [requires('b', '>=2.0.0')],
      b: [requires('c', '>=2.0.0')],
      c: [] as CompatibilityRule[],
    };
    const choice = chooseRequests({
      book: book(rules),
      place: 'dev',
      current: map({ a: '1.0.0', b: '1.0.0', c: '1.0.0' }),
      pending: map({ a: '2.0.0', b: '2.0.0', c: '2.0.0' }),
    });
    expect(choice.chosen).toEqual(['c', 'b', 'a']);
    expect([...choice.after]).toEqual([
      ['b', ['c']],
      ['a', ['b']],
    ]);
    // Without c's request, b cannot move, and so neither can a.
    const partial = chooseRequests({
      book: book(rules),
      place: 'dev',
      current: map({ a: '1.0.0', b: '1.0.0', c: '1.0.0' }),
      pending: map({ a: '2.0.0', b: '2.0.0' }),
    });
    expect(partial.chosen).toEqual([]);
    expect(partial.blocked.get('a')![0]!.message).toBe('a 2.0.0 requires b >=2.0.0; dev runs b 1.0.0');
  });

  test('a requirement the current version already meets imposes no order', () => {
    const choice = chooseRequests({
      book: book({ core: [], dash: dashRules }),
      place: 'prod',
      current: map({ core: '1.12.0', dash: '2.0.0' }),
      pending: map({ core: '1.12.1', dash: '2.0.1' }),
    });
    expect(choice.chosen).toEqual(['core', 'dash']);
    expect(choice.after.size).toBe(0);
  });

  test('a cycle (a requires b, b requires a) moves together in one level', () => {
    const rules = { a: [requires('b', '>=2.0.0', '>=2.0.0')], b: [requires('a', '>=2.0.0', '>=2.0.0')] };
    const choice = chooseRequests({
      book: book(rules),
      place: 'dev',
      current: map({ a: '1.0.0', b: '1.0.0' }),
      pending: map({ a: '2.0.0', b: '2.0.0' }),
    });
    expect(choice.chosen).toEqual(['a', 'b']);
    expect(choice.after.size).toBe(0);
  });

  test('the largest set wins', () => {
    // x 2 breaks y 1 and z 1 (they require x 1.x); y 2 and z 2 work with x 1.
    const rules = {
      x: [] as CompatibilityRule[],
      y: [requires('x', '1.x')],
      z: [requires('x', '1.x')],
    };
    const choice = chooseRequests({
      book: book(rules),
      place: 'dev',
      current: map({ x: '1.0.0', y: '1.0.0', z: '1.0.0' }),
      pending: map({ x: '2.0.0', y: '2.0.0', z: '2.0.0' }),
    });
    expect(choice.chosen).toEqual(['y', 'z']);
    expect(choice.blocked.get('x')!.map((v) => v.application)).toEqual(['y', 'z']);
  });

  test('two equally large valid sets: the application first in requirement order keeps its version', () => {
    // a 2 works only with b 1, b 2 only with a 1: {a} and {b} are both valid.
    const rules = {
      a: [requires('b', '1.x', '>=2.0.0')],
      b: [requires('a', '1.x', '>=2.0.0')],
    };
    const choice = chooseRequests({
      book: book(rules),
      place: 'dev',
      current: map({ a: '1.0.0', b: '1.0.0' }),
      pending: map({ a: '2.0.0', b: '2.0.0' }),
    });
    expect(choice.chosen).toEqual(['b']); // a and b share a level (a cycle): by name, a keeps its version
    // With a requirement order, the required application keeps its version.
    const ordered = {
      core: [] as CompatibilityRule[],
      addon: [requires('core', '1.x', '>=2.0.0')],
      zeta: [] as CompatibilityRule[],
    };
    // core 2 breaks nothing but addon 2 needs core 1.x: {core} or {addon}.
    const second = chooseRequests({
      book: book(ordered),
      place: 'dev',
      current: map({ core: '1.0.0', addon: '1.0.0' }),
      pending: map({ core: '2.0.0', addon: '2.0.0' }),
    });
    expect(second.chosen).toEqual(['addon']);
    expect(second.blocked.get('core')![0]!.message).toContain('addon 2.0.0 requires core 1.x');
  });

  test('an old violation between applications that keep their versions blocks nothing new', () => {
    const choice = chooseRequests({
      book: book({ core: [], dash: dashRules, ide: [requires('core', '>=1.11.0')] }),
      place: 'prod',
      // dash 2.0.0 with core 1.11.3 was delivered before the rule existed.
      current: map({ core: '1.11.3', dash: '2.0.0', ide: '0.5.0' }),
      pending: map({ ide: '0.6.0' }),
    });
    expect(choice.chosen).toEqual(['ide']);
  });

  test('an application new to the environment is absent until it moves', () => {
    const choice = chooseRequests({
      book: book({ core: [], dash: dashRules }),
      place: 'qa',
      current: map({}),
      pending: map({ dash: '2.0.0', core: '1.12.0' }),
    });
    expect(choice.chosen).toEqual(['core', 'dash']);
    const alone = chooseRequests({
      book: book({ core: [], dash: dashRules }),
      place: 'qa',
      current: map({}),
      pending: map({ dash: '2.0.0' }),
    });
    expect(alone.blocked.get('dash')![0]!.message).toBe(
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; qa runs no version of core',
    );
  });

  test('50 pending requests in a chain are solved exactly', () => {
    const rules: Record<string, CompatibilityRule[]> = {};
    const current: Record<string, string> = {};
    const pending: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      const name = `app-${String(i).padStart(2, '0')}`;
      rules[name] = i === 0 ? [] : [requires(`app-${String(i - 1).padStart(2, '0')}`, '>=2.0.0', '>=2.0.0')];
      current[name] = '1.0.0';
      pending[name] = '2.0.0';
    }
    const choice = chooseRequests({
      book: book(rules),
      place: 'dev',
      current: map(current),
      pending: map(pending),
    });
    expect(choice.chosen).toHaveLength(50);
    expect(choice.chosen[0]).toBe('app-00');
    expect(choice.exact).toBe(true);
  });
});

import { ByApplication } from './by-application.js';

const a = { namespace: 'team', name: 'a' };
const ab = { namespace: 'team', name: 'a-b' };

test("an application's values are kept apart from those of an application whose name extends it", () => {
  const values = new ByApplication<number>();
  values.set(a, 'x', 1);
  values.set(ab, 'x', 2);
  values.set(a, 'y', 3);
  expect(values.get(a, 'x')).toBe(1);
  expect(values.of(a)).toEqual([
    ['x', 1],
    ['y', 3],
  ]);
  values.delete(a, 'x');
  values.delete(a, 'y');
  expect(values.of(a)).toEqual([]);
  expect(values.of(ab)).toEqual([['x', 2]]);
  values.forget(ab);
  expect(values.get(ab, 'x')).toBeUndefined();
});

import { parseOnce } from './parse-once.js';

test('each object is parsed once; a replaced object is parsed again', () => {
  let calls = 0;
  const parse = parseOnce((o) => {
    calls++;
    return { name: o.metadata?.name };
  });
  const v1 = { metadata: { name: 'a', resourceVersion: '1' } };
  expect(parse(v1)).toBe(parse(v1));
  expect(calls).toBe(1);
  const v2 = { metadata: { name: 'a', resourceVersion: '2' } };
  parse(v2);
  expect(calls).toBe(2);
});

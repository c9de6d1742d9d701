// The prometheus gate without I/O: variables replaced as PromQL string
// contents, conditions, and what an instant query's answer means.
import { PromotionGateSchema, type PromotionPrometheusGate } from '../../api/promotion.js';
import {
  gateQueryText,
  noDataAnswer,
  parseCondition,
  prometheusGateResult,
  prometheusQueryUrl,
} from './prometheus-gate.js';

const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: values.map((v) => ({ metric: {}, value: [1700000000, v] })) },
  });

test('variables are replaced, and a value cannot end the PromQL string it sits in', () => {
  const vars = { application: 'web', version: '1.3.0', environment: 'staging', namespace: 'team-a' };
  expect(
    gateQueryText(
      'rate(x{app="${application}",v="${version}",env="${environment}",ns="${namespace}"}[5m])',
      vars,
    ),
  ).toBe('rate(x{app="web",v="1.3.0",env="staging",ns="team-a"}[5m])');
  expect(gateQueryText('x{v="${version}"}', { ...vars, version: 'a"} or vector(1) #' })).toBe(
    'x{v="a\\"} or vector(1) #"}',
  );
});

test('conditions parse, or are refused at admission', () => {
  expect(parseCondition('< 0.01')).toMatchObject({ op: '<', threshold: 0.01 });
  expect(parseCondition('>=99.5')).toMatchObject({ op: '>=', threshold: 99.5 });
  expect(parseCondition('== 1e-3')).toMatchObject({ op: '==', threshold: 0.001 });
  expect(parseCondition('less than 1')).toBeUndefined();
  const gate = (condition: string, query = 'up') => ({
    name: 'errors',
    prometheus: { address: 'http://prom:9090', query, condition },
  });
  expect(PromotionGateSchema.safeParse(gate('< 0.01')).success).toBe(true);
  expect(PromotionGateSchema.safeParse(gate('about 3')).success).toBe(false);
  expect(PromotionGateSchema.safeParse(gate('< 1', 'x{a="${app}"}')).success).toBe(false);
  expect(PromotionGateSchema.safeParse(gate('< 1', 'x{a="${application}"} * $5')).success).toBe(true);
  expect(PromotionGateSchema.safeParse({ ...gate('< 1'), http: { url: 'http://checks/x' } }).success).toBe(
    false,
  );
  expect(PromotionGateSchema.safeParse({ name: 'none' }).success).toBe(false);
});

test('one sample is compared with the threshold', () => {
  expect(prometheusGateResult(200, vector('0.003'), '< 0.01')).toEqual({
    result: 'Passed',
    message: '0.003 satisfies < 0.01',
  });
  expect(prometheusGateResult(200, vector('0.2'), '< 0.01')).toEqual({
    result: 'Failed',
    message: '0.2 does not satisfy < 0.01',
  });
  expect(
    prometheusGateResult(
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '5'] } }),
      '>= 5',
    ),
  ).toMatchObject({ result: 'Passed' });
  expect(prometheusGateResult(200, vector('1', '2'), '< 3')).toMatchObject({
    result: 'Failed',
    message: expect.stringContaining('returned 2 samples'),
  });
  expect(prometheusGateResult(200, vector(), '< 3')).toEqual({
    result: 'NoData',
    message: 'the query returned no sample',
  });
  expect(prometheusGateResult(200, vector('NaN'), '< 3').result).toBe('NoData');
  expect(
    prometheusGateResult(400, JSON.stringify({ status: 'error', error: 'parse error at char 3' }), '< 3'),
  ).toEqual({ result: 'Failed', message: 'Prometheus answered HTTP 400: parse error at char 3' });
});

test('no data is pending until noDataTimeout after the first empty answer, then fails', () => {
  const prom: PromotionPrometheusGate = {
    address: 'http://prom:9090/',
    query: 'up',
    condition: '< 1',
    noDataTimeout: '2m',
  };
  expect(noDataAnswer('the query returned no sample', 0, 119_000, prom)).toEqual({
    result: 'Pending',
    message: 'the query returned no sample',
  });
  expect(noDataAnswer('the query returned no sample', 0, 120_000, prom)).toEqual({
    result: 'Failed',
    message: 'the query returned no sample for 120 s (noDataTimeout)',
  });
  expect(prometheusQueryUrl(prom)).toBe('http://prom:9090/api/v1/query');
});

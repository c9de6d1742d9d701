// depot validate's gate checks: each bad gate gives one line naming the file,
// the Promotion and the field; URLs are checked only against a given list.
import { formatProblem } from './problem.js';
import { validateSources } from './validate.js';

const promotion = (gates: string) => ({
  path: 'promo.yaml',
  bytes: new TextEncoder().encode(
    `apiVersion: depot.sh/v1alpha1\nkind: Promotion\nmetadata: {name: to-prod}\nspec:\n  from: staging\n  to: prod\n  gates:\n${gates}`,
  ),
});
const lines = (gates: string, gateUrlAllow?: string[]) =>
  validateSources([promotion(gates)], { skipReferences: true, gateUrlAllow }).problems.map(formatProblem);

const prom = (fields: string) =>
  `    - name: errors\n      prometheus: {address: 'http://prom:9090', query: up, condition: '< 0.01'${fields}}\n`;
const http = (name: string, url: string, extra = '') =>
  `    - name: ${name}\n      http: {url: '${url}'${extra}}\n`;

test('well-formed gates under the allow-list have no problems', () => {
  expect(
    lines(prom('') + http('smoke', 'https://checks/depot/prod'), [
      'http://prom:9090',
      'https://checks/depot',
    ]),
  ).toEqual([]);
});

test('a threshold that is not a finite number is named', () => {
  expect(lines(prom('').replace('< 0.01', '< 1e999'))).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.condition: gate errors: "< 1e999": the threshold must be a finite number',
  ]);
});

test('zero timeouts and intervals are named', () => {
  expect(
    lines(prom(', timeout: 0s') + `    - name: smoke\n      interval: 0m\n      http: {url: 'http://c/x'}\n`),
  ).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.timeout: gate errors: must be more than 0s: every call would time out, so the gate never passes',
    'promo.yaml:0 Promotion/to-prod spec.gates[1].interval: gate smoke: must be more than 0s: a pending or failed gate would be asked again without pause',
  ]);
});

test('a Prometheus address must be the base URL', () => {
  expect(lines(prom('').replace('http://prom:9090', 'http://prom:9090/api/v1/query'))).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.address: gate errors: must be the base URL of the API, without /api/v1/query (Depot appends it)',
  ]);
  expect(lines(prom('').replace('http://prom:9090', 'http://prom:9090/?x=1'))).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.address: gate errors: must be a base URL without ?query or #fragment (Depot appends /api/v1/query)',
  ]);
});

test('URLs are checked against --gate-url-allow with the operator prefix rules when it is given', () => {
  const gates =
    http('smoke', 'https://checks/hooks/prod') + http('creds', 'https://u:p@checks/depot/x') + prom('');
  // Credentials in a URL are refused with or without a list: the operator never calls them.
  expect(lines(gates)).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[1].http.url: gate creds: a URL with credentials is never called; use secretRef to sign',
  ]);
  expect(lines(gates, ['https://checks/hook', 'http://prom:9090/'])).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].http.url: gate smoke: https://checks/hooks/prod is under none of the --gate-url-allow prefixes (https://checks/hook, http://prom:9090/)',
    'promo.yaml:0 Promotion/to-prod spec.gates[1].http.url: gate creds: a URL with credentials is never called; use secretRef to sign',
  ]);
  expect(lines(prom(''), [])).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.address: gate errors: is not called: --gate-url-allow allows no URL',
  ]);
});

test('templates, conditions and durations the schema refuses are one line each', () => {
  expect(
    lines(
      `    - name: errors\n      interval: 5 minutes\n      prometheus: {address: 'http://p', query: 'x{a="\${app}"}', condition: 'below 1'}\n`,
    ),
  ).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.gates[0].interval: must be a Go duration such as "90s", "10m", "24h" or "1h30m"',
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.condition: must compare with a number, e.g. "< 0.01", ">= 99.5" or "== 0"',
    'promo.yaml:0 Promotion/to-prod spec.gates[0].prometheus.query: must be a PromQL query whose only variables are ${application}, ${version}, ${environment}, ${namespace}',
  ]);
});

test('verification gates (spec.verify.gates) are checked the same way, named by their own path', () => {
  const source = {
    path: 'promo.yaml',
    bytes: new TextEncoder().encode(
      `apiVersion: depot.sh/v1alpha1\nkind: Promotion\nmetadata: {name: to-prod}\nspec:\n  from: staging\n  to: prod\n  verify:\n    for: 15m\n    gates:\n${http('smoke', 'https://elsewhere/x')}`,
    ),
  };
  expect(
    validateSources([source], { skipReferences: true, gateUrlAllow: ['https://checks/'] }).problems.map(
      formatProblem,
    ),
  ).toEqual([
    'promo.yaml:0 Promotion/to-prod spec.verify.gates[0].http.url: gate smoke: https://elsewhere/x is under none of the --gate-url-allow prefixes (https://checks/)',
  ]);
});

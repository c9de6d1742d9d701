// The string formats the API server checks with CEL `matches` and zod checks
// with the same regular expression.
import semver from 'semver';
import type { StringFormat } from './format.js';
import { dnsLabel, labelKey } from './names.js';
import { cronSchedule, goDuration, timeZone } from './schedule.js';
import { opaqueVersion, semverRange, semverVersion } from './semver.js';
import { renderTemplate } from './templates.js';
import { TargetSpecSchema } from './target.js';

const matches = (format: StringFormat) => (value: string) => new RegExp(format.pattern).test(value);

describe('semver versions', () => {
  const ok = [
    '1.2.3',
    'v1.2.3',
    '0.0.0',
    '1.2.3-rc.1',
    '1.2.3-0.3.7',
    '1.0.0-x-y-z.--',
    '1.2.3+build.5',
    'v10.20.30-alpha+001',
  ];
  const bad = ['1.2', '1', 'latest', '01.2.3', '1.2.3-', '1.2.3+', ' 1.2.3', 'V1.2.3', '1.2.3.4', 'vv1.2.3'];
  test.each(ok)('accepts %s (semver agrees)', (v) => {
    expect(matches(semverVersion)(v)).toBe(true);
    expect(semver.valid(v)).not.toBeNull();
  });
  test.each(bad)('rejects %s', (v) => expect(matches(semverVersion)(v)).toBe(false));
  test('opaque versions allow digests and dates but no whitespace', () => {
    expect(['sha256:ab12', '2026-01-02', 'main@abc', 'v1'].every(matches(opaqueVersion))).toBe(true);
    expect(['build 7', '', '-x', 'a\tb'].some(matches(opaqueVersion))).toBe(false);
  });
});

describe('semver ranges', () => {
  const ok = [
    '>=1.12.0 <2.0.0',
    '^1.2',
    '~1.2.3',
    '1.x || >=2.1.0',
    '1.2.3 - 1.4.0',
    '*',
    'x',
    '>= 1.2',
    '~>1.2',
    'v1.2.3',
    '=1.2',
    '<2',
    '1.2.3-rc.1',
    '>1.0.0 <=1.5.0 || 2.x',
    '^0.0.1',
  ];
  const bad = [
    '',
    ' ',
    '>=2 <<3',
    'one.two',
    '>=1.0.0 ||',
    '|| 1.0.0',
    '1.2.3 -',
    '1..2',
    '>=1.2.3.4',
    'latest',
    '1.2.3 -- 1.4.0',
  ];
  test.each(ok)('accepts %s (semver parses it too)', (r) => {
    expect(matches(semverRange)(r)).toBe(true);
    expect(semver.validRange(r)).not.toBeNull();
  });
  test.each(bad)('rejects %j', (r) => expect(matches(semverRange)(r)).toBe(false));
});

describe('cron schedules', () => {
  const ok = [
    '0 9 * * 1-4',
    '*/15 9-17 * * 1-5',
    '0 18 * * FRI',
    '0 0 1 JAN *',
    '@daily',
    '@hourly',
    '0 0 ? * MON',
    '5,35 * * * *',
    '0 0 1 * *',
  ];
  const bad = [
    '61 * * * *',
    '0 25 * * *',
    '0 0 0 * *',
    '0 0 * 13 *',
    '0 9 * * 8',
    '0 0 9 * * 1',
    '* * * *',
    '@fortnightly',
    'daily',
    '0 9 * * 1-5 ',
    '',
  ];
  test.each(ok)('accepts %s', (s) => expect(matches(cronSchedule)(s)).toBe(true));
  test.each(bad)('rejects %j', (s) => expect(matches(cronSchedule)(s)).toBe(false));
});

describe('Go durations', () => {
  test.each(['90s', '10m', '24h', '1h30m', '1.5h', '300ms', '2µs', '10us', '0s'])('accepts %s', (d) =>
    expect(matches(goDuration)(d)).toBe(true),
  );
  test.each(['2d', '10 minutes', '1w', '-5m', 'h', '', '1h 30m', '5'])('rejects %j', (d) =>
    expect(matches(goDuration)(d)).toBe(false),
  );
});

describe('names', () => {
  test('labels', () => {
    expect(['dev', 'prod-eu-1', 'a', '0'].every(matches(dnsLabel))).toBe(true);
    expect(['Prod', 'prod.eu', '-dev', 'dev-', 'dev_1', ''].some(matches(dnsLabel))).toBe(false);
  });
  test('label keys', () => {
    expect(['team', 'app.kubernetes.io/part-of', 'a_b.c'].every(matches(labelKey))).toBe(true);
    expect(['-team', 'a/b/c', 'Example.com/x', ''].some(matches(labelKey))).toBe(false);
  });
  test('time zones', () => {
    expect(
      ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'].every(matches(timeZone)),
    ).toBe(true);
    expect(['Europe Berlin', '/UTC', 'UTC/', ''].some(matches(timeZone))).toBe(false);
  });
});

describe('templates', () => {
  const applicationName = (value: string) =>
    TargetSpecSchema.safeParse({ environment: 'dev', delivery: { argocd: { applicationName: value } } });
  test.each(['${application}', '${application}-${environment}', 'fixed-name', '${target}.${namespace}'])(
    'accepts %s',
    (t) => expect(applicationName(t).success).toBe(true),
  );
  test.each(['${app}', '${application', '$application', '${APPLICATION}', 'a$b', 'My_App'])(
    'rejects %s',
    (t) => expect(applicationName(t).success).toBe(false),
  );
  test('render substitutes the four variables', () => {
    const values = { application: 'dash', environment: 'prod', target: 'prod-argocd', namespace: 'team-a' };
    expect(renderTemplate('${application}-${environment}/${target}@${namespace}', values)).toBe(
      'dash-prod/prod-argocd@team-a',
    );
  });
});

import { createHmac } from 'node:crypto';
import { hmacSignature, receiverBody, urlAllowed, urlForMessages } from './receiver-request.js';

describe('the receiver request', () => {
  test('the body is {application, environment, target, version}, in that order', () => {
    expect(
      receiverBody({ version: '1.2.3', target: 'prod-flux', environment: 'prod', application: 'core' }),
    ).toBe('{"application":"core","environment":"prod","target":"prod-flux","version":"1.2.3"}');
  });

  test('generic-hmac signs the raw body with the token: sha256=<hex>', () => {
    const body = receiverBody({ application: 'core', environment: 'prod', target: 't', version: '1.2.3' });
    const sig = hmacSignature(body, 's3cret');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(sig).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    expect(hmacSignature(body, 'other')).not.toBe(sig);
  });
});

describe('the URL allow-list', () => {
  const allow = ['http://notification-controller.flux-system/hook/', 'https://flux.example.com'];

  test('allows URLs under a prefix', () => {
    expect(urlAllowed('http://notification-controller.flux-system/hook/abc', allow)).toBe(true);
    expect(urlAllowed('https://flux.example.com/hook/abc', allow)).toBe(true);
  });

  test('refuses everything else, and everything when the list is empty', () => {
    expect(urlAllowed('http://notification-controller.flux-system/hook/abc', [])).toBe(false);
    expect(urlAllowed('http://evil.example/hook/abc', allow)).toBe(false);
    expect(urlAllowed('https://notification-controller.flux-system/hook/abc', allow)).toBe(false);
    expect(urlAllowed('http://notification-controller.flux-system:8080/hook/abc', allow)).toBe(false);
    expect(urlAllowed('http://notification-controller.flux-system/other', allow)).toBe(false);
    expect(urlAllowed('not a url', allow)).toBe(false);
  });

  test('is stricter than a string prefix: another host or path segment does not match', () => {
    expect(urlAllowed('https://flux.example.com.evil.io/hook', allow)).toBe(false);
    expect(urlAllowed('http://a.local/hooks/x', ['http://a.local/hook'])).toBe(false);
    expect(urlAllowed('http://a.local/hook/x', ['http://a.local/hook'])).toBe(true);
    expect(urlAllowed('http://user:pw@a.local/hook/x', ['http://a.local/'])).toBe(false);
  });

  test('messages show the origin, not the path (a generic Receiver path is its credential)', () => {
    expect(urlForMessages('http://nc.flux-system:9292/hook/0123abcd')).toBe('http://nc.flux-system:9292/…');
  });
});

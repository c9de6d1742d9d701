// The client's address for the per-address limits: X-Forwarded-For is believed
// only from trusted proxies, read from the right.
import { clientAddress, trustedProxies } from './client-address.js';

test('without trusted proxies the peer is the client, whatever the header says', () => {
  expect(clientAddress('10.0.0.5', '1.2.3.4', undefined)).toBe('10.0.0.5');
  expect(clientAddress('::ffff:10.0.0.5', undefined, undefined)).toBe('10.0.0.5');
  expect(clientAddress(undefined, undefined, undefined)).toBe('unknown');
});

test('behind trusted proxies the client is the right-most untrusted forwarded address', () => {
  const trusted = trustedProxies(['10.0.0.0/8', 'fd00::/8', '192.168.1.1']);
  expect(clientAddress('10.0.0.5', '1.2.3.4', trusted)).toBe('1.2.3.4');
  // A client cannot choose its address by sending the header itself: the proxy appends the real one.
  expect(clientAddress('10.0.0.5', '6.6.6.6, 1.2.3.4, 10.0.0.9', trusted)).toBe('1.2.3.4');
  expect(clientAddress('10.0.0.5', ['6.6.6.6', '1.2.3.4'], trusted)).toBe('1.2.3.4');
  expect(clientAddress('192.168.1.1', '2001:db8::1', trusted)).toBe('2001:db8::1');
  expect(clientAddress('fd00::1', '10.1.1.1, 10.2.2.2', trusted)).toBe('10.1.1.1');
  // An untrusted peer's header is not believed; a malformed entry stops the walk.
  expect(clientAddress('192.168.1.2', '1.2.3.4', trusted)).toBe('192.168.1.2');
  expect(clientAddress('10.0.0.5', '1.2.3.4, junk', trusted)).toBe('10.0.0.5');
  expect(clientAddress('10.0.0.5', undefined, trusted)).toBe('10.0.0.5');
});

test('trusted proxies must be addresses or CIDRs', () => {
  expect(trustedProxies([])).toBeUndefined();
  for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '10.0.0.0/', 'fd00::/129', '10.0.0.0/x'])
    expect(() => trustedProxies([bad])).toThrow(`"${bad}" is not an IP address or CIDR`);
});

// The rules of Depot's outbound calls (Flux Receivers, promotion gates): the
// operator's URL allow-lists, the HMAC signature of a body, and how a URL
// shows in messages. Pure; the calls themselves are in
// src/integrations/outbound/post.ts.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Signature';

/** `sha256=<hex>`: the HMAC-SHA256 of the raw body keyed with the token (Flux generic-hmac). */
export const hmacSignature = (body: string, token: string): string =>
  `sha256=${createHmac('sha256', token).update(body, 'utf8').digest('hex')}`;

/**
 * Whether the URL falls under one of the allowed prefixes. Stricter than a
 * string prefix: scheme, host and port must be equal, and the path must
 * continue the prefix's path at a `/` (so `http://flux` does not allow
 * `http://flux.example.com`, nor `/hook` allow `/hooks`). URLs with
 * credentials are never allowed.
 */
export function urlAllowed(url: string, prefixes: readonly string[]): boolean {
  const u = URL.parse(url);
  if (!u || u.username || u.password || (u.protocol !== 'http:' && u.protocol !== 'https:')) return false;
  return prefixes.some((prefix) => {
    const p = URL.parse(prefix);
    if (!p || p.protocol !== u.protocol || p.host !== u.host) return false;
    const base = p.pathname;
    if (base === '/' || base === '') return true;
    return u.pathname === base || u.pathname.startsWith(base.endsWith('/') ? base : `${base}/`);
  });
}

/** The URL without its path, for messages: a generic Receiver's path is its only credential. */
export function urlForMessages(url: string): string {
  const u = URL.parse(url);
  return u ? `${u.origin}/…` : '(an unparsable URL)';
}

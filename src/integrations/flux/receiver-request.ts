// The request a Flux `receiver` delivery sends, without I/O: the JSON body
// `{application, environment, target, version}`, its generic-hmac signature
// (notification-controller checks `X-Signature: sha256=<hex HMAC-SHA256 of
// the raw body keyed with the token>`), and the operator's URL allow-list.
export interface ReceiverPayload {
  application: string;
  environment: string;
  target: string;
  version: string;
}

/** The exact bytes that are sent and signed. */
export const receiverBody = (p: ReceiverPayload): string =>
  JSON.stringify({
    application: p.application,
    environment: p.environment,
    target: p.target,
    version: p.version,
  });

// The allow-list, the signature and URL messages are shared with promotion gates.
export { hmacSignature, SIGNATURE_HEADER, urlAllowed, urlForMessages } from '../../core/outbound-url.js';

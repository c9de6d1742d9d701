// The HTTP API's self-generated certificate, kept in one Secret that every
// replica reads: the first replica to find it missing (or due) issues one and
// writes it (create, or replace at the resourceVersion it read); a replica
// that loses that race (409) reads the winner's and serves it. Every replica
// looks again every checkIntervalMs and loads a changed certificate into
// its server, so rotation needs no restart.
import { Secrets, type KubeObject } from '../kube/resource.js';
import { apiErrorMessage, isConflict } from '../kube/errors.js';
import type { KubeApi } from '../kube/client.js';
import type { Clock } from '../kube/clock.js';
import type { Logger } from '../runtime/log.js';
import {
  checkIntervalMs,
  reissueReason,
  type CertificateFacts,
  type SubjectNames,
} from '../core/api-certificate.js';
import {
  CA_LIFETIMES,
  certificateFacts,
  issueCa,
  issueServing,
  signedBy,
  type KeyPairPem,
} from './api-certificate-issuer.js';

export interface CertificateSecretOptions {
  namespace: string;
  name: string;
  names: SubjectNames;
  /** Lifetime of a serving certificate; the CA lives CA_LIFETIMES times longer. */
  lifetimeMs: number;
}

interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** What a Secret holds: the serving pair, the CA bundle clients trust, and the CA that signs. */
export interface StoredCertificate {
  serving: KeyPairPem;
  /** PEM of the current CA first, then earlier CAs still valid (clients of either keep working). */
  caBundle: string;
  ca: KeyPairPem;
}

export const GENERATED_BY_ANNOTATION = 'depot.sh/generated-by';
const MAX_RACES = 5;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

/** The Secret's certificate, or why it cannot be used as it is. */
export function readStored(
  secret: SecretObject | undefined,
): { stored: StoredCertificate; facts: CertificateFacts; caFacts: CertificateFacts } | { unusable: string } {
  if (!secret) return { unusable: 'no certificate is stored' };
  const d = secret.data ?? {};
  const [cert, key, caBundle, caKey] = ['tls.crt', 'tls.key', 'ca.crt', 'ca.key'].map((k) => unb64(d[k]));
  if (!cert || !key || !caBundle || !caKey)
    return { unusable: 'the Secret lacks tls.crt, tls.key, ca.crt or ca.key' };
  const caCert = firstPem(caBundle);
  try {
    const facts = certificateFacts(cert);
    const caFacts = certificateFacts(caCert);
    if (!signedBy(cert, caCert))
      return { unusable: 'tls.crt is not signed by the first certificate of ca.crt' };
    return { stored: { serving: { cert, key }, caBundle, ca: { cert: caCert, key: caKey } }, facts, caFacts };
  } catch (err) {
    return { unusable: `the stored certificate does not parse: ${(err as Error).message}` };
  }
}

function firstPem(bundle: string): string {
  const end = '-----END CERTIFICATE-----';
  const i = bundle.indexOf(end);
  return i < 0 ? bundle : bundle.slice(0, i + end.length) + '\n';
}

/**
 * The next certificate: the stored CA while it has more than a third of its
 * life left, else a new CA whose bundle keeps the old one until it expires.
 */
export function nextCertificate(
  current: ReturnType<typeof readStored>,
  opts: Pick<CertificateSecretOptions, 'names' | 'lifetimeMs' | 'name'>,
  now: Date,
): StoredCertificate {
  let ca: KeyPairPem;
  let caBundle: string;
  const keepCa = 'stored' in current && !reissueReason(current.caFacts, { dns: [], ips: [] }, now);
  if (keepCa) {
    ca = current.stored.ca;
    caBundle = current.stored.caBundle;
  } else {
    ca = issueCa(`${opts.name} CA`, now, opts.lifetimeMs * CA_LIFETIMES);
    const old = 'stored' in current && current.caFacts.notAfter > now ? current.stored.ca.cert : '';
    caBundle = ca.cert + old;
  }
  return { ca, caBundle, serving: issueServing(ca, opts.names, opts.name, now, opts.lifetimeMs) };
}

export class CertificateSecret {
  private loaded: string | undefined;

  constructor(
    private readonly client: KubeApi,
    private readonly opts: CertificateSecretOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Called with each certificate this replica has not served yet. */
    private readonly load: (pair: { cert: string; key: string }) => void,
  ) {}

  get where(): string {
    return `Secret ${this.opts.namespace}/${this.opts.name}`;
  }

  /** Reads the Secret, issues a certificate when it must (winning or losing the race), loads the result. */
  async sync(): Promise<void> {
    for (let race = 0; race < MAX_RACES; race++) {
      const secret = await this.client.get<SecretObject>(Secrets, this.opts.namespace, this.opts.name);
      const current = readStored(secret);
      const now = new Date(this.clock.now());
      const reason =
        'unusable' in current ? current.unusable : reissueReason(current.facts, this.opts.names, now);
      if (!reason && 'stored' in current) return this.serve(current.stored.serving);
      const next = nextCertificate(current, this.opts, now);
      try {
        await this.write(secret, next);
      } catch (err) {
        // Another replica wrote first: read its certificate and adopt it.
        if (isConflict(err)) {
          this.log.info(
            { secret: this.where },
            'HTTP API: another replica wrote the certificate first; adopting it',
          );
          continue;
        }
        throw new Error(`${this.where}: writing the HTTP API's certificate failed: ${apiErrorMessage(err)}`, {
          cause: err,
        });
      }
      this.log.info({ secret: this.where, reason }, 'HTTP API: issued a new TLS certificate');
      return this.serve(next.serving);
    }
    throw new Error(
      `${this.where}: other writers changed it ${MAX_RACES} times in a row while this replica wrote`,
    );
  }

  /** Syncs every checkIntervalMs until the signal aborts; a failed sync is logged and retried. */
  async keep(signal: AbortSignal): Promise<void> {
    const interval = checkIntervalMs(this.opts.lifetimeMs);
    while (!signal.aborted) {
      await this.clock.sleep(interval, signal);
      if (signal.aborted) return;
      try {
        await this.sync();
      } catch (err) {
        this.log.error(
          { err: (err as Error).message, secret: this.where },
          'HTTP API: keeping the TLS certificate failed; serving the previous one',
        );
      }
    }
  }

  private serve(pair: KeyPairPem): void {
    if (pair.cert === this.loaded) return;
    this.load(pair);
    if (this.loaded !== undefined)
      this.log.info({ secret: this.where }, 'HTTP API: TLS certificate reloaded');
    this.loaded = pair.cert;
  }

  private async write(existing: SecretObject | undefined, next: StoredCertificate): Promise<void> {
    const data = {
      'tls.crt': b64(next.serving.cert),
      'tls.key': b64(next.serving.key),
      'ca.crt': b64(next.caBundle),
      'ca.key': b64(next.ca.key),
    };
    if (existing) {
      // PUT with the resourceVersion read: a concurrent writer makes it fail with 409.
      await this.client.replace(Secrets, { ...existing, data } as KubeObject);
      return;
    }
    await this.client.create(Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: this.opts.name,
        namespace: this.opts.namespace,
        annotations: { [GENERATED_BY_ANNOTATION]: 'depot operator (HTTP API certificate)' },
      },
      type: 'kubernetes.io/tls',
      data,
    } as KubeObject);
  }
}

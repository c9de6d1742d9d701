// The HTTP API's self-generated certificate, as decisions without I/O: which
// names it must carry (the Service's DNS names and configured hosts), and
// when a replica must issue a new one (missing, unreadable, a name missing,
// or less than a third of its lifetime left). Time is passed in.

/** Subject alternative names: DNS names and IP addresses. */
export interface SubjectNames {
  dns: string[];
  ips: string[];
}

/** The parts of a stored certificate the decision needs. */
export interface CertificateFacts extends SubjectNames {
  notBefore: Date;
  notAfter: Date;
}

/** Rotate when less than this share of the lifetime is left (cert-manager's default is the same third). */
export const ROTATE_WHEN_LEFT = 1 / 3;

/** The DNS names a client in the cluster can use for a Service. */
export function serviceDnsNames(
  service: string,
  namespace: string,
  clusterDomain = 'cluster.local',
): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.${clusterDomain}`,
  ];
}

const ipv4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** A literal IPv4 or IPv6 address (goes in an IP SAN, not a DNS one). */
export function isIpAddress(host: string): boolean {
  return ipv4.test(host) || (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host));
}

/** The Service's names, then the configured hosts; IP literals apart; no name twice. */
export function subjectNames(opts: {
  service?: string;
  namespace: string;
  hosts: readonly string[];
  clusterDomain?: string;
}): SubjectNames {
  const all = [
    ...(opts.service ? serviceDnsNames(opts.service, opts.namespace, opts.clusterDomain) : []),
    ...opts.hosts.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
  ];
  const unique = [...new Set(all)];
  return { dns: unique.filter((h) => !isIpAddress(h)), ips: unique.filter(isIpAddress) };
}

/** When a certificate of this validity should be replaced. */
export function rotationTime(cert: Pick<CertificateFacts, 'notBefore' | 'notAfter'>): Date {
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
  return new Date(cert.notAfter.getTime() - lifetime * ROTATE_WHEN_LEFT);
}

/**
 * Why a new certificate must be issued, or undefined when the stored one
 * serves. Names only added, never removed, count: during a rolling update an
 * old replica then accepts the new replica's certificate instead of undoing it.
 */
export function reissueReason(
  current: CertificateFacts | undefined,
  wanted: SubjectNames,
  now: Date,
): string | undefined {
  if (!current) return 'no certificate is stored';
  if (now.getTime() < current.notBefore.getTime()) return 'the stored certificate is not valid yet';
  if (now.getTime() >= rotationTime(current).getTime())
    return `the stored certificate expires at ${current.notAfter.toISOString()} (less than a third of its lifetime left)`;
  const missing = [
    ...wanted.dns.filter((d) => !current.dns.includes(d)),
    ...wanted.ips.filter((ip) => !current.ips.includes(ip)),
  ];
  if (missing.length > 0) return `the stored certificate does not name ${missing.join(', ')}`;
  return undefined;
}

/** How often replicas look at the stored certificate: a twentieth of its lifetime, between 1 s and 1 min. */
export function checkIntervalMs(lifetimeMs: number): number {
  return Math.min(60_000, Math.max(1_000, Math.floor(lifetimeMs / 20)));
}

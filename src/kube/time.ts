// Kubernetes timestamps. metav1.Time is RFC 3339 with whole seconds (the
// server drops fractions, so writing them would make every later comparison
// differ); metav1.MicroTime (Lease renewTime, Event eventTime) needs exactly
// six fractional digits: the API server rejects JavaScript's three.
export function kubeTime(t: number | Date): string {
  return new Date(Math.floor(new Date(t).getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function microTime(t: number | Date): string {
  return new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Milliseconds of a timestamp the API server returned (string or, from typed APIs, Date). */
export function parseKubeTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string' || !v) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

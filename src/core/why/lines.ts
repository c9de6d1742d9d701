// The text `depot why` prints, one string per line: the HTTP API answers the
// same lines, so the dashboard's why panel and the terminal say the same.
import type { Why } from '../../api/http.js';
import { formatDuration } from '../../kube/duration.js';

type Facts = Omit<Why, 'lines'> & { setBy?: string; desiredSince?: string };

export function whyLines(w: Facts, now: Date): string[] {
  const lines = [
    `${w.application} ${w.version} in ${w.environment}: ${w.present ? 'there' : 'not there'}`,
    `requested: ${w.requested ?? 'none'}${w.requested !== undefined && w.setBy ? ` (set by ${w.setBy})` : ''}`,
    `desired:   ${w.desired ?? 'none'}${w.desired !== undefined && w.desiredSince ? ` (since ${w.desiredSince})` : ''}`,
  ];
  if (w.reasons.length > 0) {
    lines.push('why:');
    for (const r of w.reasons) lines.push(`  - ${r.kind}: ${r.message}${untilText(r.until, now)}`);
  }
  lines.push(w.targets.length > 0 ? 'targets:' : 'targets: none');
  for (const t of w.targets)
    lines.push(
      `  - ${t.name}: ${t.state ?? 'not delivered yet'}, deployed ${t.deployed ?? 'nothing'}${t.message ? ` (${t.message})` : ''}`,
    );
  return lines;
}

/** " (until T, 1h30m left)": when a reason ends by itself. */
function untilText(until: string | undefined, now: Date): string {
  if (until === undefined) return '';
  const left = Date.parse(until) - now.getTime();
  return ` [ends ${until}${left > 0 ? `, ${formatDuration(left)} left` : ''}]`;
}

// Short local times for chips, history and next runs. Formatted by hand: the
// first Intl formatting on a page costs tens of milliseconds, in the first render.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "08:05" today, "Dec 8, 08:05" this year, "2027-01-02 08:05" otherwise; the input as is when it is no time. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.getFullYear() !== now.getFullYear())
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
  if (d.getMonth() === now.getMonth() && d.getDate() === now.getDate()) return hm;
  return `${MONTHS[d.getMonth()]} ${d.getDate()}, ${hm}`;
}

// Bounded text for the wire: a cell must stay well under 1 KB, while status
// messages may hold 4 KB. The full text stays one click away (the why panel).
export const MAX_CHIP_TEXT = 200;

export function clip(text: string, max = MAX_CHIP_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const RFC3339 = /\b(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\b/;

/** The first RFC 3339 time after "until" in a message ("frozen until …", "soaking … until …"). */
export function untilIn(message: string): string | undefined {
  const at = message.indexOf('until ');
  if (at < 0) return undefined;
  return RFC3339.exec(message.slice(at))?.[1];
}

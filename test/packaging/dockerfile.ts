// Just enough of a Dockerfile parser to check the image's own rules
// (dockerfile-rules.ts): instructions with their flags and arguments, grouped
// into stages. hadolint does the general linting.

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  keyword: string;
  /** `--from=build` → { from: 'build' } (flags before the arguments). */
  flags: Record<string, string>;
  /** The arguments after the flags, as written (continuations joined with a space). */
  args: string;
  /** The exec form's array (`["node", "x"]`), when the arguments are one. */
  exec?: string[];
  line: number;
}

export interface Stage {
  /** The FROM's image reference (`node:24-slim`) or an earlier stage's name. */
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions, one per logical line: comments dropped, `\` continuations joined. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    // Docker drops comment lines and blank lines, also inside a continued instruction.
    if (/^\s*(#|$)/.test(line)) return;
    const continued = /\\\s*$/.test(line);
    const body = continued ? line.replace(/\\\s*$/, '') : line;
    pending = pending
      ? { text: `${pending.text} ${body.trim()}`, line: pending.line }
      : { text: body.trim(), line: i + 1 };
    if (!continued) {
      out.push(toInstruction(pending.text, pending.line));
      pending = undefined;
    }
  });
  if (pending) out.push(toInstruction(pending.text, pending.line));
  return out;
}

function toInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(text)!;
  let rest = match[2] ?? '';
  const flags: Record<string, string> = {};
  for (
    let flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    flag;
    flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[flag[1]!] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  const instruction: Instruction = { keyword: match[1]!.toUpperCase(), flags, args: rest.trim(), line };
  if (instruction.args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(instruction.args);
      if (Array.isArray(parsed) && parsed.every((s) => typeof s === 'string')) instruction.exec = parsed;
    } catch {
      // Not JSON: the shell form that happens to start with `[`.
    }
  }
  return instruction;
}

/** Stages in order; instructions before the first FROM (ARG) are not in any stage. */
export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args.split(/\s+/);
      stages.push({
        base,
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** `KEY=value KEY2="a b"` (LABEL, ENV, ARG) → { KEY: 'value', KEY2: 'a b' }. */
export function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = m[2]!;
    out[m[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return out;
}

// Turns a file's bytes into YAML documents, with a clear problem (never an
// exception) for non-UTF-8 input, syntax errors and oversized documents.
import { parseAllDocuments } from 'yaml';
import type { Problem } from './problem.js';

/** Largest document accepted (1 MiB: the API server's object limit is about 1.5 MiB). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export interface SourceDocument {
  file: string;
  document: number;
  /** 1-based line where the document starts (its `---` marker, if it has one). */
  line: number;
  /** The document as plain data (null for an empty document). */
  value: unknown;
}

export interface SplitResult {
  documents: SourceDocument[];
  problems: Problem[];
}

const encoder = new TextEncoder();

export function splitDocuments(
  file: string,
  bytes: Uint8Array,
  maxDocumentBytes = MAX_DOCUMENT_BYTES,
): SplitResult {
  const text = decodeUtf8(bytes);
  if (typeof text !== 'string') {
    return {
      documents: [],
      problems: [
        { file, message: `not UTF-8 text (invalid byte at offset ${text.offset}); save the file as UTF-8` },
      ],
    };
  }
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];
  const lineOf = lineIndex(text);
  parseAllDocuments(text).forEach((doc, index) => {
    const [start, , end] = doc.range;
    const line = lineOf(start);
    const at = { file, document: index, line };
    const size = encoder.encode(text.slice(start, end)).length;
    if (size > maxDocumentBytes) {
      problems.push({
        ...at,
        message: `document is ${formatBytes(size)}, over the ${formatBytes(maxDocumentBytes)} limit; not checked`,
      });
      return;
    }
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      // The library's message repeats the position at its end; it is given once, up front.
      const text = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, '');
      problems.push({ ...at, message: `YAML syntax error${where}: ${text}` });
      return;
    }
    try {
      documents.push({ ...at, value: doc.toJS({ maxAliasCount: 100 }) as unknown });
    } catch (err) {
      problems.push({
        ...at,
        message: `YAML error: ${firstLine(err instanceof Error ? err.message : String(err))}`,
      });
    }
  });
  return { documents, problems };
}

function decodeUtf8(bytes: Uint8Array): string | { offset: number } {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { offset: firstInvalidUtf8(bytes) };
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      fatal.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** `1 MiB` for whole mebibytes (the limit), exact bytes otherwise (a size just over it). */
function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

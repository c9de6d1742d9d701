// Reading YAML safely: bad encodings, syntax errors and oversized documents
// become problems, never exceptions.
import { splitDocuments } from './documents.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

test('splits multi-document YAML, keeping document indexes and start lines (the --- line)', () => {
  const { documents, problems } = splitDocuments('f.yaml', utf8('a: 1\n---\n---\nb: 2\n'));
  expect(problems).toEqual([]);
  expect(documents.map((d) => [d.document, d.line, d.value])).toEqual([
    [0, 1, { a: 1 }],
    [1, 2, null],
    [2, 3, { b: 2 }],
  ]);
});

test('a syntax error names the document, line and column; other documents still parse', () => {
  const { documents, problems } = splitDocuments('f.yaml', utf8('a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n'));
  expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { d: 4 }]);
  expect(problems).toEqual([
    {
      file: 'f.yaml',
      document: 1,
      line: 2,
      message: expect.stringMatching(/^YAML syntax error at line \d+, column \d+: \S/),
    },
  ]);
});

test('duplicate keys are a syntax error', () => {
  const { problems } = splitDocuments('f.yaml', utf8('a: 1\na: 2\n'));
  expect(problems[0]?.message).toMatch(/Map keys must be unique/);
});

test('non-UTF-8 input is one clear problem with the offset of the first bad byte', () => {
  const bytes = new Uint8Array([...utf8('name: caf'), 0xe9, ...utf8('\n')]); // Latin-1 é
  expect(splitDocuments('f.yaml', bytes)).toEqual({
    documents: [],
    problems: [
      { file: 'f.yaml', message: 'not UTF-8 text (invalid byte at offset 9); save the file as UTF-8' },
    ],
  });
  const utf16 = new Uint8Array([0xff, 0xfe, 0x61, 0x00]);
  expect(splitDocuments('g.yaml', utf16).problems[0]?.message).toContain('offset 0');
});

test('a document over the size cap is reported and skipped, the others are checked', () => {
  const big = `a: "${'x'.repeat(200)}"\n`;
  const { documents, problems } = splitDocuments('f.yaml', utf8(`b: 1\n---\n${big}`), 100);
  expect(documents.map((d) => d.value)).toEqual([{ b: 1 }]);
  expect(problems).toEqual([
    {
      file: 'f.yaml',
      document: 1,
      line: 2,
      message: 'document is 210 bytes, over the 100 bytes limit; not checked',
    },
  ]);
});

test('an alias bomb is refused', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++)
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  const { documents, problems } = splitDocuments('bomb.yaml', utf8(lines.join('\n')));
  expect(documents).toEqual([]);
  expect(problems[0]?.message).toMatch(/^YAML error: .*alias/i);
});

// How Promotion.spec.allow classifies a version change, as examples. The CRD
// reference renders them as a table, and a core unit test checks that the
// classifier agrees with every row, so the documentation cannot drift.
export interface StepExample {
  from: string;
  to: string;
  step: 'patch' | 'minor' | 'major' | 'same' | 'downgrade';
  note: string;
}

export const STEP_EXAMPLES: readonly StepExample[] = [
  { from: '1.2.3', to: '1.2.4', step: 'patch', note: 'the patch number differs' },
  { from: '1.2.3', to: '1.3.0', step: 'minor', note: 'the minor number differs' },
  { from: '1.2.3', to: '2.0.0', step: 'major', note: 'the major number differs' },
  { from: '1.2.3', to: '1.3.0-rc.1', step: 'minor', note: 'the highest differing of major, minor, patch' },
  { from: '1.2.3', to: '2.0.0-rc.1', step: 'major', note: 'the highest differing of major, minor, patch' },
  { from: '1.3.0-rc.1', to: '1.3.0-rc.2', step: 'patch', note: 'same major.minor.patch: a patch' },
  { from: '2.0.0-rc.1', to: '2.0.0', step: 'patch', note: 'same major.minor.patch: a patch' },
  { from: '1.2.3+b1', to: '1.2.3+b2', step: 'patch', note: 'another build of the same version: a patch' },
  {
    from: 'v1.2.3',
    to: '1.2.3',
    step: 'same',
    note: 'the same artifact (a leading v aside): nothing to promote',
  },
  {
    from: '1.3.0',
    to: '1.2.9',
    step: 'downgrade',
    note: 'never promoted automatically (depot promote does it by hand)',
  },
];

/** The examples as a Markdown section of the CRD reference. */
export function renderStepTable(): string[] {
  return [
    '### Promotion steps (`spec.allow`)',
    '',
    'A change is the highest of major, minor and patch that differs; versions with the same major.minor.patch (prereleases, builds) differ by a patch. Two versions are the same artifact when they are equal apart from a leading `v`: build metadata counts, although ordering ignores it.',
    '',
    '| from | to | step | why |',
    '| --- | --- | --- | --- |',
    ...STEP_EXAMPLES.map((e) => `| \`${e.from}\` | \`${e.to}\` | ${e.step} | ${e.note} |`),
    '',
  ];
}

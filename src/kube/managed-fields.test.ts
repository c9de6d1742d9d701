import { keepManagedFields, pruneFieldSet } from './managed-fields.js';
import type { KubeObject } from './resource.js';

const versionsAndAnnotations = [
  ['f:spec', 'f:versions'],
  ['f:metadata', 'f:annotations'],
] as const;

describe('pruneFieldSet', () => {
  it('keeps only the field sets under the paths', () => {
    const fields = {
      'f:spec': { 'f:versions': { 'f:dev': {} }, 'f:versionScheme': {} },
      'f:status': { 'f:history': {} },
    };
    expect(pruneFieldSet(fields, versionsAndAnnotations)).toEqual({
      'f:spec': { 'f:versions': { 'f:dev': {} } },
    });
  });

  it('is undefined when no path is there', () => {
    expect(pruneFieldSet({ 'f:status': {} }, versionsAndAnnotations)).toBeUndefined();
    expect(pruneFieldSet(undefined, versionsAndAnnotations)).toBeUndefined();
    expect(pruneFieldSet('garbage', versionsAndAnnotations)).toBeUndefined();
  });
});

describe('keepManagedFields', () => {
  const trim = keepManagedFields(versionsAndAnnotations);

  it('drops entries that own none of the paths and trims the others', () => {
    const obj: KubeObject = {
      metadata: {
        name: 'web',
        managedFields: [
          {
            manager: 'depot-cli.dev',
            operation: 'Apply',
            time: '2026-01-01T00:00:00Z',
            fieldsV1: { 'f:spec': { 'f:versions': { 'f:dev': {} } } },
          },
          {
            manager: 'depot',
            operation: 'Update',
            subresource: 'status',
            fieldsV1: { 'f:status': { 'f:history': {} } },
          },
          {
            manager: 'kubectl',
            operation: 'Apply',
            fieldsV1: {
              'f:metadata': { 'f:annotations': { 'f:depot.sh/force-prod': {} } },
              'f:spec': { 'f:environmentSet': {} },
            },
          },
        ],
      },
      spec: { versions: { dev: '1.0.0' } },
    };
    const kept = trim(obj);
    expect(kept.metadata?.managedFields).toEqual([
      {
        manager: 'depot-cli.dev',
        operation: 'Apply',
        time: '2026-01-01T00:00:00Z',
        fieldsV1: { 'f:spec': { 'f:versions': { 'f:dev': {} } } },
      },
      {
        manager: 'kubectl',
        operation: 'Apply',
        fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:depot.sh/force-prod': {} } } },
      },
    ]);
    expect(kept.spec).toEqual({ versions: { dev: '1.0.0' } });
  });

  it('removes managedFields when no entry owns a kept path', () => {
    const obj: KubeObject = {
      metadata: { name: 'web', managedFields: [{ manager: 'depot', fieldsV1: { 'f:status': {} } }] },
    };
    expect(trim(obj)).toEqual({ metadata: { name: 'web' } });
  });

  it('passes objects without managedFields unchanged', () => {
    const obj: KubeObject = { metadata: { name: 'web' } };
    expect(trim(obj)).toEqual({ metadata: { name: 'web' } });
    expect(trim({})).toEqual({});
  });
});

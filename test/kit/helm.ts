// The helm CLI built by scripts/build-helm.sh (make helm; cached in .cache/helm)
// and the chart in helm/depot, rendered with `helm template`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '../../src/local/project-root.js';

export const chartDir = (): string => join(projectRoot(), 'helm', 'depot');

let binary: string | undefined;

/** Path of the helm binary; builds it once (minutes) when .cache has none. */
export function helmBinary(): string {
  if (binary) return binary;
  const bin = execFileSync(join(projectRoot(), 'scripts', 'build-helm.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  binary = join(bin, 'helm');
  return binary;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm; never throws for a non-zero exit (the caller asserts on it). */
export function helm(args: string[]): HelmResult {
  const r = spawnSync(helmBinary(), args, { encoding: 'utf8', env: helmEnv() });
  if (r.error) throw new Error(`running helm ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface RenderOptions {
  /** Release namespace (default depot-system). */
  namespace?: string;
  /** Release name (default depot, whose objects are named depot-operator). */
  releaseName?: string;
  /** Also the CRDs of the chart's crds/ (helm template --include-crds). */
  includeCrds?: boolean;
  /** Also the `helm test` pods (templates/tests/); left out by default, as config/ leaves them out. */
  includeTests?: boolean;
}

/** `helm template` with these values (merged over values.yaml); throws with helm's message when it fails. */
export function renderChart(values: object = {}, opts: RenderOptions = {}): KubernetesObject[] {
  const r = template(values, opts);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
  return parseRendered(r.stdout).map((d) => d.object);
}

/** `helm template` as a process result (for tests of values that must be refused). */
export function template(values: object = {}, opts: RenderOptions = {}): HelmResult {
  return withValuesFile(values, (file) =>
    helm([
      'template',
      opts.releaseName ?? 'depot',
      chartDir(),
      '--namespace',
      opts.namespace ?? 'depot-system',
      '--values',
      file,
      ...(opts.includeCrds ? ['--include-crds'] : []),
      ...(opts.includeTests ? [] : ['--skip-tests']),
    ]),
  );
}

/** `helm lint --strict` of the chart with these values. */
export function lint(values: object = {}): HelmResult {
  return withValuesFile(values, (file) => helm(['lint', '--strict', chartDir(), '--values', file]));
}

export interface RenderedDocument {
  object: KubernetesObject;
  /** The template's comment above the object, without helm's `# Source:` line. */
  comment: string | undefined;
  /** The template file, from `# Source: depot/templates/<file>`. */
  source: string | undefined;
}

export function parseRendered(text: string): RenderedDocument[] {
  const out: RenderedDocument[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`helm template output: ${doc.errors[0]!.message}`);
    const object = doc.toJS() as KubernetesObject | null;
    if (!object || typeof object !== 'object') continue;
    // After a `---` marker, the comment belongs to the document's top-level map.
    const contents = doc.contents as { commentBefore?: string | null } | null;
    const lines = [doc.commentBefore, contents?.commentBefore].filter(Boolean).join('\n').split('\n');
    const source = lines.find((l) => l.startsWith(' Source: '))?.slice(' Source: '.length);
    const comment = lines.filter((l) => !l.startsWith(' Source: ')).join('\n');
    out.push({ object, comment: comment.trim() ? comment : undefined, source });
  }
  return out;
}

function withValuesFile<T>(values: object, run: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'depot-helm-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    return run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Helm keeps its cache, config and data out of the user's home. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = join(projectRoot(), '.cache', 'helm-home');
  return {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

// Releases of a small application for the local Git server: repositories with
// tagged commits of ConfigMaps whose data names the version, and Helm charts
// whose rendered ConfigMap names the chart version. Real Argo CD and Flux sync
// them, so a test can read the version in the synced cluster object.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git, GitServerError, type GitServer } from './git-server.js';

export type Files = Record<string, string>;

export interface GitRepository {
  name: string;
  url: string;
  /** Writes the files (paths relative to the repository root), commits them and pushes the branch. */
  commit(files: Files, message: string): string;
  /** Tags HEAD and pushes the tag; returns the commit it points at. */
  tag(name: string): string;
  /** Commit and tag in one step: the usual "release" of a version. */
  release(files: Files, tag: string): string;
}

/** Creates an empty bare repository `<name>.git` on the server, with `main` as its branch. */
export function createRepository(server: GitServer, name: string): GitRepository {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new GitServerError(`repository name ${JSON.stringify(name)}: use a-z, 0-9 and -`);
  const bare = join(server.gitRoot, `${name}.git`);
  if (existsSync(bare)) throw new GitServerError(`repository ${name} exists already`);
  git(server.gitRoot, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const work = join(dirname(server.gitRoot), 'work', name);
  mkdirSync(work, { recursive: true });
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  const repo: GitRepository = {
    name,
    url: server.repoUrl(name),
    commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'main');
      return git(work, 'rev-parse', 'HEAD');
    },
    tag(tag) {
      git(work, 'tag', tag);
      git(work, 'push', '--quiet', 'origin', `refs/tags/${tag}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    release(files, tag) {
      repo.commit(files, `release ${tag}`);
      return repo.tag(tag);
    },
  };
  return repo;
}

/**
 * A Kustomize directory (`path`) with one ConfigMap `name` in `namespace`
 * whose `data.version` is the version: what a release of the sample
 * application looks like in Git. `image` adds a Pod-less image reference in
 * `data.image`, rewritten by Kustomize's `images` (the `configurations` entry
 * tells Kustomize that this field holds an image).
 */
export function configMapRelease(opts: {
  name: string;
  namespace: string;
  version: string;
  path?: string;
  image?: string;
}): Files {
  const dir = opts.path ?? '.';
  const files: Files = {
    [join(dir, 'configmap.yaml')]: [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: ${opts.name}`,
      `  namespace: ${opts.namespace}`,
      'data:',
      `  version: ${JSON.stringify(opts.version)}`,
      ...(opts.image ? [`  image: ${JSON.stringify(opts.image)}`] : []),
      '',
    ].join('\n'),
    [join(dir, 'kustomization.yaml')]: [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - configmap.yaml',
      ...(opts.image ? ['configurations:', '  - image-field.yaml'] : []),
      '',
    ].join('\n'),
  };
  if (opts.image) {
    files[join(dir, 'image-field.yaml')] = [
      'images:',
      '  - path: data/image',
      '    kind: ConfigMap',
      '',
    ].join('\n');
  }
  return files;
}

/**
 * Packages a chart `name` at `version` into the server's chart repository and
 * re-indexes it, with the helm CLI at `helm`. Its one template is a ConfigMap
 * named after the release whose data holds the chart version and the value
 * `image.tag` (default `latest`).
 */
export function publishChart(server: GitServer, helm: string, opts: { name: string; version: string }): void {
  const src = mkdtempSync(join(dirname(server.chartsDir), 'chart-'));
  try {
    const chart = join(src, opts.name);
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(
      join(chart, 'Chart.yaml'),
      `apiVersion: v2\nname: ${opts.name}\nversion: ${opts.version}\nappVersion: ${JSON.stringify(opts.version)}\n`,
    );
    writeFileSync(join(chart, 'values.yaml'), 'image:\n  tag: latest\n');
    writeFileSync(
      join(chart, 'templates', 'configmap.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ .Release.Name }}',
        'data:',
        '  chartVersion: {{ .Chart.Version | quote }}',
        '  imageTag: {{ .Values.image.tag | quote }}',
        '',
      ].join('\n'),
    );
    helmRun(helm, ['package', chart, '--destination', server.chartsDir]);
    helmRun(helm, ['repo', 'index', server.chartsDir, '--url', server.chartsUrl]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

function helmRun(helm: string, args: string[]): void {
  const r = spawnSync(helm, args, { encoding: 'utf8' });
  if (r.error) throw new GitServerError(`helm ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new GitServerError(`helm ${args.join(' ')}: ${r.stderr.trim()}`);
}

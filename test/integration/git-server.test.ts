// The local Git and Helm chart server that real Argo CD and Flux sync from:
// tags pushed by the test are visible over smart HTTP, clones carry the
// release's files, a push over HTTP works, and the chart repository serves
// an index naming every published version.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { configMapRelease, createRepository, publishChart } from '../../src/local/git-releases.js';
import { git, startGitServer, type GitServer } from '../../src/local/git-server.js';
import { helmBinary } from '../kit/helm.js';

jest.setTimeout(300_000);

let dir: string;
let server: GitServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depot-gitserver-'));
  server = await startGitServer({ dir });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('tags of a repository are served over smart HTTP and a clone holds the release', () => {
  const repo = createRepository(server, 'guestbook');
  const sha = repo.release(
    configMapRelease({ name: 'guestbook', namespace: 'apps', version: '1.0.0' }),
    'v1.0.0',
  );
  repo.release(configMapRelease({ name: 'guestbook', namespace: 'apps', version: '1.1.0' }), 'v1.1.0');

  const refs = git(dir, 'ls-remote', '--tags', repo.url);
  expect(refs).toContain(`${sha}\trefs/tags/v1.0.0`);
  expect(refs).toContain('refs/tags/v1.1.0');

  const clone = join(dir, 'clone');
  git(dir, 'clone', '--quiet', '--branch', 'v1.0.0', repo.url, clone);
  const cm = parseYaml(readFileSync(join(clone, 'configmap.yaml'), 'utf8')) as { data: { version: string } };
  expect(cm.data.version).toBe('1.0.0');
});

test('a push over HTTP is accepted (loopback only)', () => {
  const repo = createRepository(server, 'pushed');
  repo.commit({ 'README.md': 'first\n' }, 'first');
  const clone = join(dir, 'push-clone');
  git(dir, 'clone', '--quiet', repo.url, clone);
  git(clone, 'tag', 'v9.9.9');
  git(clone, 'push', '--quiet', 'origin', 'v9.9.9');
  expect(git(dir, 'ls-remote', '--tags', repo.url)).toContain('refs/tags/v9.9.9');
});

test('an unknown repository is a 404, not an empty repository', () => {
  const r = spawnSync('git', ['ls-remote', server.repoUrl('missing')], {
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/not found|404/i);
});

test('the chart repository indexes every published version and serves its archive', async () => {
  publishChart(server, helmBinary(), { name: 'podinfo-lite', version: '1.0.0' });
  publishChart(server, helmBinary(), { name: 'podinfo-lite', version: '1.1.0' });
  const res = await fetch(`${server.chartsUrl}/index.yaml`);
  expect(res.status).toBe(200);
  const index = parseYaml(await res.text()) as {
    entries: Record<string, { version: string; urls: string[] }[]>;
  };
  const versions = index.entries['podinfo-lite']!.map((e) => e.version).sort();
  expect(versions).toEqual(['1.0.0', '1.1.0']);
  const url = index.entries['podinfo-lite']!.find((e) => e.version === '1.1.0')!.urls[0]!;
  expect(url).toBe(`${server.chartsUrl}/podinfo-lite-1.1.0.tgz`);
  const archive = await fetch(url);
  expect(archive.status).toBe(200);
  expect((await archive.arrayBuffer()).byteLength).toBeGreaterThan(100);
});

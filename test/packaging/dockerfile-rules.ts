// Depot's own rules for its image, beyond what hadolint checks:
// each broken rule is one message naming the line.
import { keyValues, parseStages, type Instruction, type Stage } from './dockerfile.js';

export interface Expected {
  /** scripts/ensure-node.sh's NODE_VERSION: the base image runs the same Node.js. */
  nodeVersion: string;
  /** package.json's version: the image's version label by default. */
  packageVersion: string;
}

export const ENTRYPOINT = ['node', '/app/bin/depot.js'];
export const CMD = ['operator'];

const at = (i: Instruction) => `line ${i.line}`;

/** The RUN that installs the final image's /app: its stage's last RUN. */
export function productionInstall(text: string): { stage: Stage; run: Instruction } | undefined {
  const stages = parseStages(text);
  const final = stages.at(-1);
  const copy = final?.instructions.find((i) => i.keyword === 'COPY' && i.flags.from);
  const stage = stages.find((s) => s.name === copy?.flags.from);
  const run = stage?.instructions.filter((i) => i.keyword === 'RUN').at(-1);
  return stage && run ? { stage, run } : undefined;
}

export function checkImageRules(text: string, expected: Expected): string[] {
  const problems: string[] = [];
  const stages = parseStages(text);
  const final = stages.at(-1);
  if (stages.length < 2 || !final) return ['a multi-stage build has a build stage and a final stage'];
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));

  // Every base image is pinned: an exact version tag or a digest, never latest.
  for (const stage of stages) {
    if (stageNames.has(stage.base)) continue;
    const digest = /@sha256:[0-9a-f]{64}$/.test(stage.base);
    const tag = /:([^/:@]+)(@|$)/.exec(stage.base)?.[1];
    if (!digest && !(tag && /^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/.test(tag)))
      problems.push(`FROM ${stage.base}: pin the base image by an exact version tag or a digest`);
    if (/:latest(@|$)/.test(stage.base)) problems.push(`FROM ${stage.base}: never latest`);
    const node = /^(?:docker\.io\/)?(?:library\/)?node:(\d+\.\d+\.\d+)/.exec(stage.base);
    if (!node || node[1] !== expected.nodeVersion)
      problems.push(
        `FROM ${stage.base}: the base is the official node image of Node.js ${expected.nodeVersion}`,
      );
  }

  // The final stage runs nothing: no npm, no cache, no dev dependencies; its
  // application comes whole from the build stage.
  const finalIns = final.instructions;
  for (const i of finalIns.filter((i) => i.keyword === 'RUN'))
    problems.push(`${at(i)}: the final stage runs nothing (${i.args})`);
  for (const i of finalIns.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
    if (i.keyword === 'ADD' || !i.flags.from || !stageNames.has(i.flags.from))
      problems.push(`${at(i)}: the final stage copies from the build stage only (${i.keyword} ${i.args})`);
  }
  const appCopy = finalIns.find((i) => i.keyword === 'COPY' && i.flags.from && /\s\/app\/?$/.test(i.args));
  if (!appCopy) problems.push('the final stage copies /app (dist/, bin/, node_modules) from the build stage');

  // The build stage compiles dist/ (npm pack runs prepack) and installs production dependencies only.
  const install = productionInstall(text);
  if (!install) {
    problems.push('the stage the final stage copies from ends with a RUN that installs the dependencies');
  } else {
    const runs = install.stage.instructions.filter((i) => i.keyword === 'RUN');
    if (!runs.some((i) => /\bnpm pack\b/.test(i.args)))
      problems.push(`stage ${install.stage.name}: builds the package with npm pack (prepack compiles dist/)`);
    if (!/^npm ci\b/.test(install.run.args) || !/--omit=dev\b/.test(install.run.args))
      problems.push(`${at(install.run)}: the last RUN of the build stage is \`npm ci --omit=dev\``);
    const workdir = install.stage.instructions.filter(
      (i) => i.keyword === 'WORKDIR' && i.line < install.run.line,
    );
    if (workdir.at(-1)?.args !== '/app')
      problems.push(`${at(install.run)}: the dependencies install in /app`);
  }

  // A numeric non-root user (uid:gid), set before the entrypoint: Kubernetes'
  // runAsNonRoot can only verify a numeric user.
  const user = finalIns.filter((i) => i.keyword === 'USER').at(-1);
  const ids = user && /^(\d+)(?::(\d+))?$/.exec(user.args);
  if (!user) problems.push('the final stage sets USER (numeric, not root)');
  else if (!ids) problems.push(`${at(user)}: USER ${user.args} is numeric (uid:gid)`);
  else if (Number(ids[1]) === 0 || ids[2] === '0')
    problems.push(`${at(user)}: USER ${user.args} is not root`);

  const entrypoint = finalIns.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  if (JSON.stringify(entrypoint?.exec) !== JSON.stringify(ENTRYPOINT))
    problems.push(`ENTRYPOINT is the exec form ${JSON.stringify(ENTRYPOINT)}`);
  const cmd = finalIns.filter((i) => i.keyword === 'CMD').at(-1);
  if (JSON.stringify(cmd?.exec) !== JSON.stringify(CMD))
    problems.push(`CMD is the exec form ${JSON.stringify(CMD)}`);
  if (user && entrypoint && user.line > entrypoint.line)
    problems.push(`${at(user)}: USER comes before ENTRYPOINT`);

  // Nothing is written outside /tmp, so the root filesystem can be read-only.
  const env = Object.assign(
    {},
    ...finalIns.filter((i) => i.keyword === 'ENV').map((i) => keyValues(i.args)),
  ) as Record<string, string>;
  if (!env.HOME?.startsWith('/tmp')) problems.push('ENV HOME is under /tmp (a read-only root filesystem)');
  if (finalIns.some((i) => i.keyword === 'VOLUME'))
    problems.push('no VOLUME: the Deployment decides what is writable');

  const labels = Object.assign(
    {},
    ...finalIns.filter((i) => i.keyword === 'LABEL').map((i) => keyValues(i.args)),
  ) as Record<string, string>;
  for (const key of ['title', 'description', 'version', 'licenses', 'source'])
    if (!labels[`org.opencontainers.image.${key}`])
      problems.push(`LABEL org.opencontainers.image.${key} is set in the final stage`);
  const versionArg = finalIns
    .filter((i) => i.keyword === 'ARG')
    .map((i) => keyValues(i.args))
    .find((kv) => 'VERSION' in kv);
  const version = labels['org.opencontainers.image.version']?.replace(
    '${VERSION}',
    versionArg?.VERSION ?? '',
  );
  if (version !== expected.packageVersion)
    problems.push(`the version label is package.json's version ${expected.packageVersion}, not ${version}`);

  return problems;
}

// What every step of the tour uses: narration, the real CLI as a user types
// it (with the admin kubeconfig: a person, not the operator), and bounded
// waits whose error names the step, what it waited for and where the
// operator's log is.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../../api/application.js';
import type { Promotion } from '../../api/promotion.js';
import { Applications, Promotions } from '../../api/resources.js';
import type { DepotClient } from '../../client/depot-client.js';
import type { KubeObject } from '../../kube/resource.js';
import {
  APPS_NAMESPACE as APPS_NAMESPACE_LABEL,
  ARGOCD_NAMESPACE as ARGOCD_NAMESPACE_LABEL,
  type DemoArgoCd,
} from '../demo-argocd.js';

export const say = (line = '') => process.stdout.write(`${line}\n`);

export interface TourOptions {
  root: string;
  kubeconfig: string;
  namespace: string;
  client: DepotClient;
  argo: DemoArgoCd;
  stepTimeoutMs: number;
  /** Where to look when a step fails (the local operator's log, or the Deployment). */
  operatorHint: string;
  /** Why the operator stopped, if it did (local mode). */
  operatorExited?: () => string | undefined;
}

export class Tour {
  private step = 'setup';
  private deadline = 0;

  constructor(readonly opts: TourOptions) {}

  get argo(): DemoArgoCd {
    return this.opts.argo;
  }

  /** Starts a step: its title, and a fresh deadline. */
  begin(step: string): void {
    this.step = step;
    this.deadline = Date.now() + this.opts.stepTimeoutMs;
    say(`\n== ${step}`);
  }

  /** The one sentence a step ends with: what it showed, said only after it was checked. */
  shows(sentence: string): void {
    say(`-> ${sentence}`);
  }

  /** Runs `depot ARGS` as a user would, prints its output, and fails unless it exits with `expect`. */
  cli(args: string[], expect = 0): string {
    say(`$ depot ${args.map(quote).join(' ')}`);
    const res = spawnSync(
      process.execPath,
      [
        join(this.opts.root, 'bin', 'depot.js'),
        ...args,
        '-n',
        this.opts.namespace,
        '--kubeconfig',
        this.opts.kubeconfig,
      ],
      { encoding: 'utf8' },
    );
    process.stdout.write(res.stdout.replace(/^(?=.)/gm, '  '));
    if (res.status !== expect)
      throw new Error(
        `${this.step}: depot ${args.join(' ')} exited with ${res.status} (expected ${expect}): ${res.stderr.trim()}`,
      );
    return res.stdout;
  }

  /** Waits until `check` holds, at most until the step's deadline. */
  async until(what: string, check: () => Promise<boolean>): Promise<void> {
    for (;;) {
      const exited = this.opts.operatorExited?.();
      if (exited) throw this.failure(what, exited);
      if (await check()) return;
      if (Date.now() > this.deadline)
        throw this.failure(what, `timed out after ${this.opts.stepTimeoutMs / 1000}s`);
      await sleep(300);
    }
  }

  /** Waits until the Application `name` satisfies `check`, and returns it. */
  async untilApp(name: string, what: string, check: (app: Application) => boolean): Promise<Application> {
    let last: Application | undefined;
    await this.until(what, async () => {
      last = await this.opts.client.get<Application & KubeObject>(Applications, name);
      return check(last);
    });
    return last!;
  }

  async untilPromotion(name: string, what: string, check: (p: Promotion) => boolean): Promise<Promotion> {
    let last: Promotion | undefined;
    await this.until(what, async () => {
      last = await this.opts.client.get<Promotion & KubeObject>(Promotions, name);
      return check(last);
    });
    return last!;
  }

  /**
   * Asks the real Argo CD to sync an Application (as `argocd app sync` does),
   * waits for Synced and Healthy within the step's deadline, and says what
   * runs now: the resolved commit and the synced ConfigMap's data.
   */
  async argoSync(name: string): Promise<void> {
    const tag = await this.argo.revision(name);
    say(
      `$ argocd app sync ${ARGOCD_NAMESPACE_LABEL}/${name}    (the demo sets the Application's operation, as the argocd CLI does)`,
    );
    try {
      const r = await this.argo.sync(name, this.deadline);
      say(
        `   Argo CD synced ${name}: Synced, Healthy at ${tag} (commit ${r.revision.slice(0, 7)}); ConfigMap ${APPS_NAMESPACE_LABEL}/${name} data.version = ${r.configMapVersion ?? '(missing)'}`,
      );
    } catch (err) {
      throw this.failure(`Argo CD to sync ${name}`, err instanceof Error ? err.message : String(err));
    }
  }

  async apps(): Promise<Application[]> {
    return this.opts.client.list<Application & KubeObject>(Applications);
  }

  private failure(what: string, why: string): Error {
    return new Error(`${this.step}: ${why} waiting for ${what}; see ${this.opts.operatorHint}`);
  }
}

export function envOf(app: Application, env: string) {
  return app.status?.environments?.find((e) => e.name === env);
}

export function deployedOn(app: Application, target: string): string | undefined {
  return app.status?.targets?.find((t) => t.name === target)?.deployed;
}

function quote(arg: string): string {
  return /^[\w@.,:/=<>-]+$/.test(arg) ? arg : `"${arg}"`;
}

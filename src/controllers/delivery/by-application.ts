// Values per (Depot Application, name), grouped by application so that one
// application's values are found without scanning every application's:
// a scan per reconcile made a bulk change of N applications cost N² steps.
import type { Request } from '../../kube/resource.js';

const appKeyOf = (app: Request) => `${app.namespace}/${app.name}`;

export class ByApplication<V> {
  private readonly groups = new Map<string, Map<string, V>>();

  get(app: Request, name: string): V | undefined {
    return this.groups.get(appKeyOf(app))?.get(name);
  }

  set(app: Request, name: string, value: V): void {
    const key = appKeyOf(app);
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new Map()));
    group.set(name, value);
  }

  delete(app: Request, name: string): void {
    const key = appKeyOf(app);
    const group = this.groups.get(key);
    if (!group?.delete(name) || group.size > 0) return;
    this.groups.delete(key);
  }

  /** The application's values by name (a copy: deleting while iterating is safe). */
  of(app: Request): [string, V][] {
    return [...(this.groups.get(appKeyOf(app)) ?? [])];
  }

  /** Forgets every value of the application. */
  forget(app: Request): void {
    this.groups.delete(appKeyOf(app));
  }
}

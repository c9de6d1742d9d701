// What a Promotion's spec.gates need beyond the schema, offline: a condition
// whose threshold is a finite number, a timeout and interval above zero, a
// Prometheus base address (not the query endpoint, no query string), no
// credentials in a URL, and —
// when `depot validate --gate-url-allow` gives the operator's allow-list —
// URLs the operator will call (the same prefix rules, core/outbound-url.ts).
import type { PromotionGate } from '../../api/promotion.js';
import { parseDuration } from '../../kube/duration.js';
import { urlAllowed } from '../outbound-url.js';
import { gateTarget, parseCondition } from '../promotion/prometheus-gate.js';
import type { FieldProblem } from '../../api/field-problem.js';
import type { Catalog } from './catalog.js';
import { problemAt } from './located.js';
import type { Problem } from './problem.js';

export interface GateCheckOptions {
  /** The operator's --gate-url-allow prefixes; undefined: URLs are not checked against a list. */
  gateUrlAllow?: readonly string[];
}

const isZero = (duration: string | undefined) => duration !== undefined && parseDuration(duration) === 0;

/** The problems of each gate, with paths such as `spec.gates[0].prometheus.condition`. */
export function gateProblems(
  gates: readonly PromotionGate[],
  opts: GateCheckOptions = {},
  /** Where the list is: spec.gates, or spec.verify.gates. */
  list = 'spec.gates',
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  gates.forEach((gate, i) => {
    const at = (field: string, message: string) =>
      problems.push({ path: `${list}[${i}].${field}`, message: `gate ${gate.name}: ${message}` });
    const kind = gate.prometheus ? 'prometheus' : 'http';
    if (isZero(gate.interval))
      at('interval', 'must be more than 0s: a pending or failed gate would be asked again without pause');
    if (isZero((gate.http ?? gate.prometheus)?.timeout))
      at(`${kind}.timeout`, 'must be more than 0s: every call would time out, so the gate never passes');
    if (gate.prometheus) {
      const { condition, address } = gate.prometheus;
      if (!parseCondition(condition))
        at('prometheus.condition', `"${condition}": the threshold must be a finite number`);
      const u = URL.parse(address);
      if (u && (u.search || u.hash))
        at(
          'prometheus.address',
          'must be a base URL without ?query or #fragment (Depot appends /api/v1/query)',
        );
      else if (u && /\/api\/v1\/query\/?$/.test(u.pathname))
        at('prometheus.address', 'must be the base URL of the API, without /api/v1/query (Depot appends it)');
    }
    // The operator never calls a URL with credentials, whatever its allow-list.
    const { url, field } = gateTarget(gate);
    const u = URL.parse(url);
    const allow = opts.gateUrlAllow;
    if (u && (u.username || u.password))
      at(field, 'a URL with credentials is never called; use secretRef to sign');
    else if (allow && !urlAllowed(url, allow))
      at(
        field,
        allow.length === 0
          ? 'is not called: --gate-url-allow allows no URL'
          : `${url} is under none of the --gate-url-allow prefixes (${allow.join(', ')})`,
      );
  });
  return problems;
}

/** Every Promotion's gate problems (spec.gates and spec.verify.gates), located in its file. */
export function checkGates(catalog: Catalog, opts: GateCheckOptions = {}): Problem[] {
  return catalog.promotions.flatMap((p) =>
    [
      ...gateProblems(p.object.spec.gates ?? [], opts),
      ...gateProblems(p.object.spec.verify?.gates ?? [], opts, 'spec.verify.gates'),
    ].map((g) => problemAt(p, 'Promotion', g.path, g.message)),
  );
}

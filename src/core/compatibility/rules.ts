// Compatibility rules evaluated against a combination of versions. Ranges
// follow node-semver; a rule's `when` covers the prereleases in its interval,
// while a requirement accepts a prerelease only when its range names one of
// the same major.minor.patch (npm's rule). Both err on the side of checking.
// A leading `v` is tolerated; an opaque application is required by exact version.
import type { CompatibilityRule } from '../../api/application.js';
import type { ConditionProblem } from '../../api/field-problem.js';
import { versionsOf, type VersionScheme } from '../versions.js';
import { parsedVersion, parsedVersionForWhen, requirementRange, whenRange } from './parsed.js';
import { Reason } from '../../api/conditions.js';

/** What the rules need to know about an application. */
export interface Member {
  name: string;
  scheme: VersionScheme;
  rules: readonly CompatibilityRule[];
}

/** Application name → its entry; every application of the namespace. */
export type Catalog = ReadonlyMap<string, Member>;

/** Application name → its version in one place (an environment, a given set). Absent: no version there. */
export interface Combination {
  get(application: string): string | undefined;
}

/** `base` with one application at another version, without copying `base`. */
export function withVersion(
  base: Combination,
  application: string,
  version: string | undefined,
): Combination {
  return { get: (a) => (a === application ? version : base.get(a)) };
}

export interface Violation {
  /** The application whose rule is broken, at `version`. */
  application: string;
  version: string;
  /** Index of the rule in spec.compatibility. */
  rule: number;
  requires: { application: string; versions: string };
  /** The required application's version there; undefined when it has none. */
  found: string | undefined;
  message: string;
}

/** `path` is e.g. spec.compatibility[1].requires.versions. */
export interface RuleProblem extends ConditionProblem {
  /** Index of the rule in spec.compatibility. */
  rule: number;
  reason: (typeof Reason)['InvalidRange' | 'InvalidCompatibilityRule' | 'UnknownApplication'];
}

const rulePath = (i: number, field: string) => `spec.compatibility[${i}].${field}`;

/**
 * Why rules of `owner` cannot be evaluated (a bad range, a rule on itself, an
 * opaque application required by a range) or name an application that does
 * not exist. Each names the rule's index and field; the other rules keep working.
 */
export function ruleProblems(owner: Member, catalog: Catalog): RuleProblem[] {
  const out: RuleProblem[] = [];
  owner.rules.forEach((rule, i) => {
    if (rule.when !== undefined && owner.scheme === 'opaque')
      out.push({
        rule: i,
        path: rulePath(i, 'when'),
        reason: Reason.InvalidCompatibilityRule,
        message: `${owner.name} uses versionScheme opaque, whose versions have no ranges; remove when`,
      });
    else if (rule.when !== undefined && whenRange(rule.when) === null)
      out.push({
        rule: i,
        path: rulePath(i, 'when'),
        reason: Reason.InvalidRange,
        message: `"${rule.when}" is not a valid semver range`,
      });
    const required = rule.requires.application;
    if (required === owner.name) {
      out.push({
        rule: i,
        path: rulePath(i, 'requires.application'),
        reason: Reason.InvalidCompatibilityRule,
        message: `${owner.name} cannot require itself`,
      });
      return;
    }
    const target = catalog.get(required);
    const problem = versionsProblem(rule.requires.versions, target?.scheme ?? 'semver', required);
    if (problem) out.push({ rule: i, path: rulePath(i, 'requires.versions'), ...problem });
    if (!target)
      out.push({
        rule: i,
        path: rulePath(i, 'requires.application'),
        reason: Reason.UnknownApplication,
        message: `Application "${required}" does not exist in this namespace; the rule cannot be met until it does`,
      });
  });
  return out;
}

function versionsProblem(
  versions: string,
  scheme: VersionScheme,
  required: string,
): Pick<RuleProblem, 'reason' | 'message'> | undefined {
  if (scheme === 'opaque')
    return /^[A-Za-z0-9][A-Za-z0-9._+:@/-]*$/.test(versions.trim())
      ? undefined
      : {
          reason: Reason.InvalidCompatibilityRule,
          message: `${required} uses versionScheme opaque, which can be required only by exact version; "${versions}" is not one`,
        };
  return requirementRange(versions) === null
    ? { reason: Reason.InvalidRange, message: `"${versions}" is not a valid semver range` }
    : undefined;
}

/** Indexes of the rules of `owner` that can be evaluated (problems aside; an unknown application can). */
export function usableRules(owner: Member, catalog: Catalog): number[] {
  const broken = new Set(
    ruleProblems(owner, catalog)
      .filter((p) => p.reason !== 'UnknownApplication')
      .map((p) => p.rule),
  );
  return owner.rules.flatMap((_, i) => (broken.has(i) ? [] : [i]));
}

/** Whether rule `rule` of `owner` applies to its version `version` (`when`, prereleases included). */
export function ruleApplies(owner: Member, rule: CompatibilityRule, version: string): boolean {
  if (rule.when === undefined) return true;
  if (owner.scheme === 'opaque') return false;
  const v = parsedVersionForWhen(version);
  const range = whenRange(rule.when);
  return v !== null && range !== null && range.test(v);
}

/** Whether `version` of an application with `scheme` meets `versions` (npm's prerelease rule). */
export function meets(scheme: VersionScheme, version: string, versions: string): boolean {
  if (scheme === 'opaque') return versionsOf('opaque').same(version, versions.trim());
  const v = parsedVersion(version);
  const range = requirementRange(versions);
  return v !== null && range !== null && range.test(v);
}

/**
 * Checks every usable rule that involves `application` at `version`: its own
 * rules against the combination, and the rules of others (at their version
 * in the combination) that require it. `place` names where, for messages
 * ("staging", "the given set").
 */
export class RuleBook {
  /** Required application → the applications with a rule on it. */
  private readonly requiredBy = new Map<string, string[]>();
  private readonly usable = new Map<string, number[]>();
  /** "owner\nrequired" → indexes of the owner's usable rules on it. */
  private readonly between = new Map<string, number[]>();

  constructor(readonly catalog: Catalog) {
    for (const member of catalog.values()) {
      const rules = usableRules(member, catalog);
      this.usable.set(member.name, rules);
      for (const i of rules) {
        const req = member.rules[i]!.requires.application;
        const key = `${member.name}\n${req}`;
        this.between.set(key, [...(this.between.get(key) ?? []), i]);
        const owners = this.requiredBy.get(req) ?? [];
        if (!owners.includes(member.name)) owners.push(member.name);
        this.requiredBy.set(req, owners);
      }
    }
  }

  /** Applications with a usable rule on `application`. */
  ownersOf(application: string): readonly string[] {
    return this.requiredBy.get(application) ?? [];
  }

  private readonly requirementsMemo = new Map<string, string[]>();

  /** Applications that the usable rules of `application` require. */
  requirementsOf(application: string): readonly string[] {
    const memo = this.requirementsMemo.get(application);
    if (memo) return memo;
    const member = this.catalog.get(application);
    const out = member
      ? [...new Set((this.usable.get(application) ?? []).map((i) => member.rules[i]!.requires.application))]
      : [];
    this.requirementsMemo.set(application, out);
    return out;
  }

  /** Whether the rules of `owner` at `version` on `required` at `found` hold (for the set choice). */
  holdsOn(owner: string, version: string | undefined, required: string, found: string | undefined): boolean {
    if (version === undefined) return true;
    const member = this.catalog.get(owner)!;
    const scheme = this.catalog.get(required)?.scheme ?? 'semver';
    return (this.between.get(`${owner}\n${required}`) ?? []).every((i) => {
      const rule = member.rules[i]!;
      return (
        !ruleApplies(member, rule, version) ||
        (found !== undefined && meets(scheme, found, rule.requires.versions))
      );
    });
  }

  /** The broken rules of `application` itself at `version` in `combination`. */
  ownViolations(application: string, version: string, combination: Combination, place: string): Violation[] {
    const member = this.catalog.get(application);
    if (!member) return [];
    const out: Violation[] = [];
    for (const i of this.usable.get(application) ?? []) {
      const rule = member.rules[i]!;
      if (!ruleApplies(member, rule, version)) continue;
      const req = rule.requires.application;
      const found = combination.get(req);
      const scheme = this.catalog.get(req)?.scheme ?? 'semver';
      if (found !== undefined && meets(scheme, found, rule.requires.versions)) continue;
      const where =
        found === undefined ? `${place} runs no version of ${req}` : `${place} runs ${req} ${found}`;
      out.push({
        application,
        version,
        rule: i,
        requires: { application: req, versions: rule.requires.versions },
        found,
        message: `${application} ${version} requires ${req} ${rule.requires.versions}; ${where}`,
      });
    }
    return out;
  }

  /**
   * Every broken rule that involves `application` at its version in
   * `combination`: its own, and those of the applications that require it.
   */
  violationsInvolving(application: string, combination: Combination, place: string): Violation[] {
    const version = combination.get(application);
    const own = version === undefined ? [] : this.ownViolations(application, version, combination, place);
    const theirs = this.ownersOf(application).flatMap((owner) => {
      const v = combination.get(owner);
      if (v === undefined || owner === application) return [];
      return this.ownViolations(owner, v, combination, place).filter(
        (x) => x.requires.application === application,
      );
    });
    return [...own, ...theirs];
  }
}

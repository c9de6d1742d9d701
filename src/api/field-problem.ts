// What is wrong with an object, at one of its fields: the one shape of a
// problem that schemas, core checks, `depot validate` and conditions share.

export interface FieldProblem {
  /** Field path as the API server writes it, e.g. `spec.environments[0].name` (empty for the object itself). */
  path: string;
  message: string;
}

/** A FieldProblem that a condition reports, with the condition's reason (e.g. EnvironmentNotFound). */
export interface ConditionProblem extends FieldProblem {
  reason: string;
}

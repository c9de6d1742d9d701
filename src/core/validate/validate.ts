// `depot validate` without the file system: given the files' bytes, every
// problem — YAML, schema (the same rules the API server runs), references
// between the objects, promotion cycles, rule syntax, duplicate names, promotion gates.
import { buildCatalog } from './catalog.js';
import { checkPromotionCycles } from './cycles.js';
import { splitDocuments, type SourceDocument } from './documents.js';
import { checkGates } from './gates.js';
import { sortProblems, type Problem } from './problem.js';
import { checkReferences } from './references.js';
import { checkSemantics } from './semantics.js';

export interface SourceFile {
  /** How the file is named in problems (as the user gave it). */
  path: string;
  bytes: Uint8Array;
}

export interface ValidateOptions {
  /** Skip the check that references resolve within the given files (other objects live in the cluster). */
  skipReferences?: boolean;
  maxDocumentBytes?: number;
  /** The operator's --gate-url-allow: gate URLs must be under one of these (undefined: not checked). */
  gateUrlAllow?: readonly string[];
}

export interface ValidationReport {
  valid: boolean;
  files: number;
  documents: number;
  /** Depot objects found (valid or not). */
  objects: number;
  problems: Problem[];
}

export function validateSources(files: SourceFile[], opts: ValidateOptions = {}): ValidationReport {
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const split = splitDocuments(file.path, file.bytes, opts.maxDocumentBytes);
    documents.push(...split.documents);
    problems.push(...split.problems);
  }
  const { catalog, problems: catalogProblems, depotDocuments } = buildCatalog(documents);
  problems.push(
    ...catalogProblems,
    ...checkSemantics(catalog),
    ...checkPromotionCycles(catalog.promotions),
    ...checkGates(catalog, { gateUrlAllow: opts.gateUrlAllow }),
  );
  if (!opts.skipReferences) problems.push(...checkReferences(catalog));
  return {
    valid: problems.length === 0,
    files: files.length,
    documents: documents.length,
    objects: depotDocuments,
    problems: sortProblems(problems),
  };
}

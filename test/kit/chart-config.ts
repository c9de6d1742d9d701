// config/ is the chart rendered with its defaults as release `depot` in
// depot-system (`npm run gen:config`), compared object by object by
// config-manifests.test.ts. On purpose it drops the Helm-only labels, starts
// manager.yaml with the Namespace (restricted Pod Security), and names the
// kustomization files `Kustomization` so `kubectl apply -f <dir>` skips them.
import type { KubernetesObject } from '@kubernetes/client-node';
import { Document, isScalar, stringify, visit } from 'yaml';
import type { RenderedDocument } from './helm.js';

export const CONFIG_NAMESPACE = 'depot-system';
export const CONFIG_RELEASE = 'depot';
export const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

const HEADER =
  '# Generated from helm/depot (default values, release depot in depot-system) by\n' +
  '# `npm run gen:config`. Do not edit: change the chart and regenerate.\n';

/** Which config/ file holds an object of this kind. */
const FILES: Record<string, string> = {
  ServiceAccount: 'rbac/service_account.yaml',
  ClusterRole: 'rbac/cluster_role.yaml',
  ClusterRoleBinding: 'rbac/cluster_role_binding.yaml',
  Role: 'rbac/leader_election_role.yaml',
  RoleBinding: 'rbac/leader_election_role.yaml',
  Namespace: 'manager/manager.yaml',
  Deployment: 'manager/manager.yaml',
  Service: 'manager/service.yaml',
  PodDisruptionBudget: 'manager/pdb.yaml',
  MutatingAdmissionPolicy: 'admission/admission_policies.yaml',
  MutatingAdmissionPolicyBinding: 'admission/admission_policies.yaml',
  ValidatingAdmissionPolicy: 'admission/admission_policies.yaml',
  ValidatingAdmissionPolicyBinding: 'admission/admission_policies.yaml',
};

/** Templates whose objects go to a file of their own, whatever their kind. */
const FILES_BY_TEMPLATE: Record<string, string> = {
  'depot/templates/user-roles.yaml': 'rbac/user_roles.yaml',
  'depot/templates/api-tls-role.yaml': 'rbac/api_tls_role.yaml',
};

const KUSTOMIZATIONS: Record<string, object> = {
  'crd/Kustomization': { resources: ['../../crds'] },
  'rbac/Kustomization': {
    resources: [
      'service_account.yaml',
      'cluster_role.yaml',
      'cluster_role_binding.yaml',
      'leader_election_role.yaml',
      'api_tls_role.yaml',
      'user_roles.yaml',
    ],
  },
  'manager/Kustomization': { resources: ['manager.yaml', 'service.yaml', 'pdb.yaml'] },
  'admission/Kustomization': { resources: ['admission_policies.yaml'] },
  'default/Kustomization': {
    namespace: CONFIG_NAMESPACE,
    resources: ['../crd', '../rbac', '../admission', '../manager'],
  },
};

export function namespaceObject(): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: CONFIG_NAMESPACE,
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    },
  };
}

/** A copy of a rendered object without the labels that only Helm's objects carry. */
export function withoutHelmLabels(obj: KubernetesObject): KubernetesObject {
  const copy = structuredClone(obj);
  const labels = copy.metadata?.labels;
  if (labels) for (const key of HELM_ONLY_LABELS) delete labels[key];
  return copy;
}

/** config/'s objects by file (relative to config/), from the chart's default rendering. */
export function configObjects(rendered: RenderedDocument[]): Map<string, RenderedDocument[]> {
  const byFile = new Map<string, RenderedDocument[]>();
  const all = [{ object: namespaceObject(), comment: undefined, source: undefined }, ...rendered];
  for (const doc of all) {
    const file = FILES_BY_TEMPLATE[doc.source ?? ''] ?? FILES[doc.object.kind ?? ''];
    if (!file) throw new Error(`the chart renders a ${doc.object.kind} that has no place in config/`);
    byFile.set(file, [...(byFile.get(file) ?? []), { ...doc, object: withoutHelmLabels(doc.object) }]);
  }
  return byFile;
}

/** Every generated file of config/ (relative path → text). */
export function configFiles(rendered: RenderedDocument[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const [file, docs] of configObjects(rendered)) {
    const body = docs.map(({ object, comment }) => {
      const doc = new Document(object);
      // Lists of scalars on one line, as in the templates: `verbs: [get, list, watch]`.
      visit(doc, {
        Seq(_, seq) {
          if (seq.items.every(isScalar)) seq.flow = true;
        },
      });
      const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
      return comment ? `${comment.replace(/^/gm, '#')}\n${text}` : text;
    });
    files.set(file, HEADER + body.join('---\n'));
  }
  for (const [file, content] of Object.entries(KUSTOMIZATIONS))
    files.set(
      file,
      HEADER +
        stringify(
          { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...content },
          { lineWidth: 0 },
        ),
    );
  return files;
}

{{/* The chart's name (app.kubernetes.io/name). */}}
{{- define "depot.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object names: <release>-operator, so a release named depot yields config/'s depot-operator. */}}
{{- define "depot.fullname" -}}
{{- .Values.fullnameOverride | default (printf "%s-operator" .Release.Name) | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "depot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "depot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* helm.sh/chart and app.kubernetes.io/managed-by are left out of config/ (scripts/generate-config.ts). */}}
{{- define "depot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "depot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "depot.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Combinations the schema cannot express fail the render with a message naming the values. */}}
{{- define "depot.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection) -}}
{{- fail (printf "replicas is %d but leaderElection is false: without leader election every replica would reconcile and write; set leaderElection: true or replicas: 1" (int .Values.replicas)) -}}
{{- end -}}
{{- if and .Values.flux.receiverUrlAllow (not .Values.integrations.flux) -}}
{{- fail "flux.receiverUrlAllow is set but integrations.flux is false: Flux Receivers are only called with the Flux integration on" -}}
{{- end -}}
{{- if and .Values.shards (not .Values.leaderElection) -}}
{{- fail "shards are set but leaderElection is false: a shard's handover and liveness come from its leader Lease" -}}
{{- end -}}
{{- if and .Values.shards .Values.watchNamespaces -}}
{{- fail "shards and watchNamespaces exclude each other: a shard watches the namespaces it holds" -}}
{{- end -}}
{{- if and .Values.api.tls.secretName (not .Values.api.enabled) -}}
{{- fail "api.tls.secretName is set but api.enabled is false: TLS is for the HTTP API" -}}
{{- end -}}
{{- end -}}

{{- define "depot.tlsDir" -}}/etc/depot/api-tls{{- end -}}

{{/* How the HTTP API gets its certificate: secret, certManager, generated or disabled (api.tls.mode auto resolved). */}}
{{- define "depot.apiTlsMode" -}}
{{- $t := .Values.api.tls -}}
{{- if ne $t.mode "auto" -}}{{ $t.mode }}
{{- else if $t.secretName -}}secret
{{- else if $t.certManager.enabled -}}certManager
{{- else -}}generated
{{- end -}}
{{- end -}}

{{/* The Secret the HTTP API's certificate is read from (secret, certManager) or kept in (generated). */}}
{{- define "depot.apiTlsSecret" -}}
{{- if eq (include "depot.apiTlsMode" .) "secret" -}}
{{- required "api.tls.mode secret needs api.tls.secretName" .Values.api.tls.secretName -}}
{{- else -}}{{ include "depot.fullname" . }}-api-tls
{{- end -}}
{{- end -}}

{{/* Whether the API is served over TLS at all. */}}
{{- define "depot.apiTls" -}}
{{- if and .Values.api.enabled (ne (include "depot.apiTlsMode" .) "disabled") -}}true{{- end -}}
{{- end -}}

{{/* Whether the operator reads the certificate from mounted files (secret, certManager). */}}
{{- define "depot.apiTlsFiles" -}}
{{- if and (include "depot.apiTls" .) (has (include "depot.apiTlsMode" .) (list "secret" "certManager")) -}}true{{- end -}}
{{- end -}}


{{/* The integrations switched on, in a fixed order, for --integrations (the operator Blocks Targets of the others). */}}
{{- define "depot.integrations" -}}
{{- $on := list -}}
{{- range $name := list "argocd" "flux" -}}
{{- if index $.Values.integrations $name -}}{{- $on = append $on $name -}}{{- end -}}
{{- end -}}
{{- join "," $on -}}
{{- end -}}

{{/* The HTTP API's scheme. */}}
{{- define "depot.apiScheme" -}}
{{- if include "depot.apiTls" . -}}https{{- else -}}http{{- end -}}
{{- end -}}

{{/* Shards: each shard's Service name (<fullname>-<shard>.<namespace>.svc), a JSON list, for the certificate (empty without shards). */}}
{{- define "depot.shardServiceHosts" -}}
{{- $hosts := list -}}
{{- range .Values.shards -}}
{{- $hosts = append $hosts (printf "%s-%s.%s.svc" (include "depot.fullname" $) . $.Release.Namespace) -}}
{{- end -}}
{{- toJson $hosts -}}
{{- end -}}

{{/* Shards: what a proxying replica trusts for another shard's certificate: the mounted ca.crt, or the generated Secret's. */}}
{{- define "depot.shardApiCa" -}}
{{- if include "depot.apiTlsFiles" . -}}{{ include "depot.tlsDir" . }}/ca.crt{{- else -}}secret{{- end -}}
{{- end -}}

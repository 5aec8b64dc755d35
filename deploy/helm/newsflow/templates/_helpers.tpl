{{/*
Names. The fullname is the release name when it already contains the chart
name, so `helm install newsflow` gives objects named like deploy/k8s/.
*/}}
{{- define "newsflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "newsflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "newsflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "newsflow.configMapName" -}}
{{- printf "%s-config" (include "newsflow.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "newsflow.secretName" -}}
{{- if .Values.sasl.existingSecret }}
{{- .Values.sasl.existingSecret }}
{{- else }}
{{- printf "%s-kafka" (include "newsflow.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "newsflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "newsflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "newsflow.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Recommended labels. The selector is name + instance only: those never
change over a release's life, and a Deployment's selector is immutable.
*/}}
{{- define "newsflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "newsflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "newsflow.labels" -}}
{{ include "newsflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: {{ .Values.component }}
app.kubernetes.io/part-of: {{ .Values.partOf }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "newsflow.chart" . }}
{{- end }}

{{/*
A librdkafka property value as a TOML string. Values files give numbers as
float64, which would print as 1e+07: whole numbers are printed as integers.
JSON string syntax is valid TOML basic-string syntax.
*/}}
{{- define "newsflow.prop" -}}
{{- if kindIs "float64" . -}}
{{- if eq . (float64 (int64 .)) -}}
{{- int64 . | toString | toJson -}}
{{- else -}}
{{- toString . | toJson -}}
{{- end -}}
{{- else -}}
{{- toString . | toJson -}}
{{- end -}}
{{- end }}

{{/* A ${file:PATH} reference to one key of the mounted SASL Secret. */}}
{{- define "newsflow.secretRef" -}}
{{- printf "${file:%s/%s}" (trimSuffix "/" .root.Values.sasl.mountPath) .key -}}
{{- end }}

{{/*
librdkafka properties of one client (consumer or producer) with the SASL
settings added: user name and password are file references into the
mounted Secret, never values.
*/}}
{{- define "newsflow.clientProps" -}}
{{- $props := deepCopy (.props | default dict) -}}
{{- if .root.Values.sasl.enabled -}}
{{- $_ := set $props "security.protocol" .root.Values.sasl.securityProtocol -}}
{{- $_ := set $props "sasl.mechanisms" .root.Values.sasl.mechanism -}}
{{- $_ := set $props "sasl.username" (include "newsflow.secretRef" (dict "root" .root "key" .root.Values.sasl.usernameKey)) -}}
{{- $_ := set $props "sasl.password" (include "newsflow.secretRef" (dict "root" .root "key" .root.Values.sasl.passwordKey)) -}}
{{- end -}}
{{- $lines := list -}}
{{- range $k, $v := $props -}}
{{- if not (kindIs "invalid" $v) -}}
{{- $lines = append $lines (printf "%s = %s" (toJson $k) (include "newsflow.prop" $v)) -}}
{{- end -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end }}

{{/*
shutdown.drain_timeout_ms in force: an environment override, else the raw
config's value, else the structured value.
*/}}
{{- define "newsflow.drainTimeoutMs" -}}
{{- $ms := "" -}}
{{- range .Values.extraEnv -}}
{{- if and (eq (upper .name) "NEWSFLOW_SHUTDOWN__DRAIN_TIMEOUT_MS") .value -}}
{{- $ms = .value -}}
{{- end -}}
{{- end -}}
{{- if and (not $ms) .Values.config -}}
{{- $line := regexFind "(?m)^[ \t]*drain_timeout_ms[ \t]*=[ \t]*[0-9_]+" .Values.config -}}
{{- if $line -}}
{{- $ms = regexFind "[0-9_]+$" $line | replace "_" "" -}}
{{- else -}}
{{- $ms = "20000" -}}
{{- end -}}
{{- end -}}
{{- if not $ms -}}
{{- $ms = .Values.shutdown.drainTimeoutMs -}}
{{- end -}}
{{- int64 $ms -}}
{{- end }}

{{/* The port of http.listen in a raw config (9000 when it has none). */}}
{{- define "newsflow.rawListenPort" -}}
{{- $line := regexFind "(?m)^[ \t]*listen[ \t]*=[ \t]*\"[^\"]*\"" .Values.config -}}
{{- if not $line -}}
9000
{{- else -}}
{{- regexFind ":[0-9]+\"$" $line | trimPrefix ":" | trimSuffix "\"" -}}
{{- end -}}
{{- end }}

{{/* KEDA's name for the SASL mechanism. */}}
{{- define "newsflow.kedaSasl" -}}
{{- $m := dict "PLAIN" "plaintext" "SCRAM-SHA-256" "scram_sha256" "SCRAM-SHA-512" "scram_sha512" -}}
{{- $v := get $m (upper .Values.sasl.mechanism) -}}
{{- if not $v -}}
{{- fail (printf "sasl.mechanism %q: the KEDA trigger supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512" .Values.sasl.mechanism) -}}
{{- end -}}
{{- $v -}}
{{- end }}

{{/* KEDA's offsetResetPolicy, from the consumer's auto.offset.reset. */}}
{{- define "newsflow.kedaOffsetResetPolicy" -}}
{{- $reset := index (.Values.kafka.consumer | default dict) "auto.offset.reset" | default "earliest" | toString | lower -}}
{{- if has $reset (list "earliest" "smallest" "beginning") -}}
earliest
{{- else if has $reset (list "latest" "largest" "end") -}}
latest
{{- else -}}
{{- fail (printf "kafka.consumer.\"auto.offset.reset\" %q has no KEDA offsetResetPolicy (earliest or latest)" $reset) -}}
{{- end -}}
{{- end }}

{{/*
Checks that templates alone cannot express; each failure names the values
to change.
*/}}
{{- define "newsflow.validate" -}}
{{- $drain := include "newsflow.drainTimeoutMs" . | int64 -}}
{{- $grace := int64 .Values.terminationGracePeriodSeconds -}}
{{- if le (mul $grace 1000) (add $drain 5000) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d s) must be more than 5 s above the drain deadline, shutdown.drainTimeoutMs (%d ms, after config and extraEnv overrides), for the final commit and producer flush; otherwise pods are killed mid-drain" $grace $drain) -}}
{{- end -}}
{{- if .Values.keda.enabled -}}
{{- $max := int64 .Values.keda.maxReplicaCount -}}
{{- $min := int64 .Values.keda.minReplicaCount -}}
{{- $parts := int64 .Values.input.partitions -}}
{{- if gt $max $parts -}}
{{- fail (printf "keda.maxReplicaCount (%d) is above input.partitions (%d): replicas beyond the partition count of %s get no partition" $max $parts .Values.topics.input) -}}
{{- end -}}
{{- if gt $min $max -}}
{{- fail (printf "keda.minReplicaCount (%d) is above keda.maxReplicaCount (%d)" $min $max) -}}
{{- end -}}
{{- if lt (int64 .Values.keda.lagThreshold) 1 -}}
{{- fail "keda.lagThreshold must be at least 1" -}}
{{- end -}}
{{- end -}}
{{- if .Values.config -}}
{{- $port := include "newsflow.rawListenPort" . -}}
{{- if ne $port (toString (int64 .Values.http.port)) -}}
{{- fail (printf "config: http.listen must use http.port (%d), the port of the probes and the Service; it uses %q" (int64 .Values.http.port) $port) -}}
{{- end -}}
{{- range regexFindAll "(?m)^[ \t]*\"sasl\\.password\"[ \t]*=[ \t]*\"[^\"]*\"" .Values.config -1 -}}
{{- if not (contains "${file:" .) -}}
{{- fail "config: \"sasl.password\" must be a ${file:PATH} reference to the mounted Secret (sasl.*), not a value in the ConfigMap" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.sasl.enabled (not .Values.sasl.existingSecret) -}}
{{- if or (not .Values.sasl.username) (not .Values.sasl.password) -}}
{{- fail "sasl.enabled: set sasl.existingSecret, or sasl.username and sasl.password for a Secret created by the chart" -}}
{{- end -}}
{{- end -}}
{{- end }}

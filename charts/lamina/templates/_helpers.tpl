{{/* The chart's name, or nameOverride. */}}
{{- define "lamina.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object's name: fullnameOverride, else the release name when it already contains
the chart's name ("lamina"), else "<release>-<chart>". 52 characters leave room for "-operator".
*/}}
{{- define "lamina.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "lamina.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on everything the chart makes, the CRD included. */}}
{{- define "lamina.commonLabels" -}}
helm.sh/chart: {{ include "lamina.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "context" $ "component" "gateway"). Never change: selectors are immutable. */}}
{{- define "lamina.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lamina.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of one component's objects: (dict "context" $ "component" "gateway"). */}}
{{- define "lamina.labels" -}}
{{ include "lamina.commonLabels" .context }}
app.kubernetes.io/name: {{ include "lamina.name" .context }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: lamina
{{- end -}}

{{/* A component's object name: (dict "context" $ "component" "gateway") -> <fullname>-gateway. */}}
{{- define "lamina.componentName" -}}
{{- printf "%s-%s" (include "lamina.fullname" .context) .component -}}
{{- end -}}

{{/*
A component's image: (dict "context" $ "image" .Values.gateway.image "name" "gateway").
"<image.repository>/<name>:<image.tag or appVersion>", each part overridable per component.
*/}}
{{- define "lamina.image" -}}
{{- $root := .context.Values.image -}}
{{- $repository := .image.repository | default (printf "%s/%s" (trimSuffix "/" $root.repository) .name) -}}
{{- $tag := .image.tag | default $root.tag | default .context.Chart.AppVersion -}}
{{- printf "%s:%s" $repository (toString $tag) -}}
{{- end -}}

{{/* ServiceAccount names. */}}
{{- define "lamina.operator.serviceAccountName" -}}
{{- .Values.operator.serviceAccount.name | default (include "lamina.componentName" (dict "context" . "component" "operator")) -}}
{{- end -}}
{{- define "lamina.gateway.serviceAccountName" -}}
{{- .Values.gateway.serviceAccount.name | default (include "lamina.componentName" (dict "context" . "component" "gateway")) -}}
{{- end -}}
{{- define "lamina.worker.serviceAccountName" -}}
{{- .Values.worker.serviceAccount.name | default (include "lamina.componentName" (dict "context" . "component" "worker")) -}}
{{- end -}}
{{- define "lamina.redis.serviceAccountName" -}}
{{- .Values.redis.serviceAccount.name | default (include "lamina.componentName" (dict "context" . "component" "redis")) -}}
{{- end -}}

{{/* The namespace of the gateway's access-key Secrets. */}}
{{- define "lamina.accessKeyNamespace" -}}
{{- .Values.auth.accessKeyNamespace | default .Release.Namespace -}}
{{- end -}}

{{/* The initial access key's Secret name. */}}
{{- define "lamina.accessKeySecretName" -}}
{{- .Values.auth.accessKey.existingSecret | default .Values.auth.accessKey.name | default (printf "%s-access-key" (include "lamina.fullname" .)) -}}
{{- end -}}

{{/* True (non-empty) when the gateway gets a Redis: async on, and the chart's Redis or an external one. */}}
{{- define "lamina.asyncOn" -}}
{{- if and .Values.async.enabled (or .Values.redis.enabled .Values.async.redis .Values.async.redisSecret.name) -}}true{{- end -}}
{{- end -}}

{{/* True when the chart runs Redis: async on, redis.enabled, and no external Redis named. */}}
{{- define "lamina.redisOn" -}}
{{- if and .Values.async.enabled .Values.redis.enabled (not .Values.async.redis) (not .Values.async.redisSecret.name) -}}true{{- end -}}
{{- end -}}

{{/* True when the chart's Redis requires a password (redis.auth.enabled). */}}
{{- define "lamina.redisAuthOn" -}}
{{- if and (include "lamina.redisOn" .) .Values.redis.auth.enabled -}}true{{- end -}}
{{- end -}}

{{/*
The async queue's settings, the same in the gateways (which store events) and the workers (which run
them): Redis, the event signing key, Redis' password and its durability checks.
*/}}
{{- define "lamina.asyncQueueEnv" -}}
{{- if .Values.async.redisSecret.name }}
- name: Lamina__Gateway__Async__Redis
  valueFrom:
    secretKeyRef:
      name: {{ .Values.async.redisSecret.name }}
      key: {{ .Values.async.redisSecret.key }}
{{- else }}
- name: Lamina__Gateway__Async__Redis
  value: {{ .Values.async.redis | default (include "lamina.redisAddress" .) | quote }}
{{- end }}
# The key events are signed with (every replica shares it) and, for the chart's Redis, its password.
- name: Lamina__Gateway__Async__EventSigningKey
  valueFrom:
    secretKeyRef:
      name: {{ include "lamina.asyncSecretName" . }}
      key: eventSigningKey
{{- if include "lamina.redisAuthOn" . }}
- name: Lamina__Gateway__Async__RedisPassword
  valueFrom:
    secretKeyRef:
      name: {{ include "lamina.asyncSecretName" . }}
      key: redisPassword
{{- end }}
{{- if not .Values.async.requireDurableRedis }}
- name: Lamina__Gateway__Async__RequireDurableRedis
  value: "false"
{{- end }}
{{- end -}}

{{/* Where both the gateways and the workers find the concurrency controller: the leader's address is in the operator's Lease. */}}
{{- define "lamina.controllerEnv" -}}
- name: Lamina__Gateway__Region
  value: {{ .Values.aws.region | quote }}
- name: Lamina__Gateway__AccountId
  value: {{ .Values.aws.accountId | quote }}
- name: Lamina__Gateway__Controller__LeaseName
  value: {{ .Values.operator.leaseName | quote }}
- name: Lamina__Gateway__Controller__LeaseNamespace
  value: {{ .Release.Namespace | quote }}
- name: Lamina__Gateway__Routing__QueueSize
  value: {{ .Values.gateway.routing.queueSize | int64 | quote }}
- name: Lamina__Gateway__Routing__QueueTimeout
  value: {{ .Values.gateway.routing.queueTimeout | quote }}
{{- end -}}

{{/* The Secret with the event signing key and the chart's Redis password (async-secret.yaml). */}}
{{- define "lamina.asyncSecretName" -}}
{{- printf "%s-async" (include "lamina.fullname" .) -}}
{{- end -}}

{{/*
Redis' maxmemory: redis.maxmemory, else 80% of the container's memory limit in bytes. With noeviction a
full Redis refuses writes (Event invocations answer 500) instead of being OOM-killed by the kernel and
crash-looping on its append-only file; the other 20% hold the AOF rewrite's buffers, client buffers
and fragmentation. No limit and no maxmemory fails the render: Redis would have no ceiling.
*/}}
{{- define "lamina.redisMaxmemory" -}}
{{- if .Values.redis.maxmemory -}}
{{- .Values.redis.maxmemory -}}
{{- else -}}
{{- $limit := toString (dig "limits" "memory" "" .Values.redis.resources) -}}
{{- $number := regexFind "^[0-9]+" $limit -}}
{{- $suffix := trimPrefix $number $limit -}}
{{- $units := dict "" 1 "k" 1000 "K" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- if or (not $number) (not (hasKey $units $suffix)) -}}
{{- fail (printf "redis.maxmemory is empty and redis.resources.limits.memory (%q) is not a whole number with a unit of k, M, G, T, Ki, Mi, Gi or Ti: set one of them (Redis needs a memory ceiling)" $limit) -}}
{{- end -}}
{{- div (mul (atoi $number) (get $units $suffix) 4) 5 -}}
{{- end -}}
{{- end -}}

{{/* The Service with a virtual IP in front of the chart's Redis. */}}
{{- define "lamina.redisClientService" -}}
{{- printf "%s-client" (include "lamina.componentName" (dict "context" . "component" "redis")) -}}
{{- end -}}

{{/*
The chart's Redis as the gateway dials it: the Service variables the kubelet puts in every pod of
the namespace (the Service is created before the gateway's pods), expanded by Kubernetes in the
env value. Not the DNS name: it needs no cluster DNS, which a minimal cluster may lack.
*/}}
{{- define "lamina.redisAddress" -}}
{{- $variable := include "lamina.redisClientService" . | upper | replace "-" "_" -}}
{{- printf "$(%s_SERVICE_HOST):$(%s_SERVICE_PORT)" $variable $variable -}}
{{- end -}}

{{/* The pod security context of every pod: Pod Security "restricted", uid/gid 65532. */}}
{{- define "lamina.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The security context of every container: nothing but /tmp (an emptyDir) is writable. */}}
{{- define "lamina.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* POD_NAME, POD_NAMESPACE and POD_IP from the downward API. */}}
{{- define "lamina.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- if eq .Values.logFormat "json" }}
- name: LAMINA_LOG_FORMAT
  value: json
{{- end }}
# ASP.NET Core's per-request lines would log every probe and scrape; its warnings and errors stay.
- name: Logging__LogLevel__Microsoft.AspNetCore
  value: Warning
{{- end -}}

{{/*
Scheduling of one component's pods: (dict "context" $ "values" .Values.gateway "component" "gateway").
A topology spread constraint without a labelSelector gets the component's selector labels.
*/}}
{{- define "lamina.scheduling" -}}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .values.topologySpreadConstraints }}
topologySpreadConstraints:
{{- range .values.topologySpreadConstraints }}
  {{- $constraint := . }}
  {{- if not (hasKey $constraint "labelSelector") }}
  {{- $constraint = merge (dict "labelSelector" (dict "matchLabels" (include "lamina.selectorLabels" (dict "context" $.context "component" $.component) | fromYaml))) $constraint }}
  {{- end }}
  - {{- toYaml $constraint | nindent 4 }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Prometheus scrape annotations for a Service: (dict "context" $ "port" 8080). */}}
{{- define "lamina.scrapeAnnotations" -}}
{{- if .context.Values.metrics.scrapeAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

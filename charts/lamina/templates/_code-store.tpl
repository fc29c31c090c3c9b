{{/* The code store (docs/code-store.md): the chart's registry, or an external one by URL. */}}

{{/* True when the chart runs its registry: codeStore.enabled and no external URL. */}}
{{- define "lamina.codeStoreOn" -}}
{{- if and .Values.codeStore.enabled (not .Values.codeStore.external.url) -}}true{{- end -}}
{{- end -}}

{{/* True when Lamina has a code store at all: the chart's, or an external one. */}}
{{- define "lamina.codeStoreConfigured" -}}
{{- if and .Values.codeStore.enabled (or (include "lamina.codeStoreOn" .) .Values.codeStore.external.url) -}}true{{- end -}}
{{- end -}}

{{/* The chart's registry: its StatefulSet, Services, ConfigMap and Secret share this name. */}}
{{- define "lamina.codeStoreName" -}}
{{- include "lamina.componentName" (dict "context" . "component" "code-store") -}}
{{- end -}}

{{/* The Secret with the credentials Lamina's programs use: the chart's, or codeStore.external.existingSecret (empty: an anonymous registry). */}}
{{- define "lamina.codeStoreSecretName" -}}
{{- if include "lamina.codeStoreOn" . -}}
{{- include "lamina.codeStoreName" . -}}
{{- else -}}
{{- .Values.codeStore.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "lamina.codeStore.serviceAccountName" -}}
{{- .Values.codeStore.serviceAccount.name | default (include "lamina.codeStoreName" .) -}}
{{- end -}}

{{/*
The registry's URL as the gateway dials it: codeStore.external.url, or the chart's Service through the
variables the kubelet puts in every pod of the namespace (<NAME>_SERVICE_HOST/PORT), expanded by
Kubernetes in the env value: the local cluster has no DNS (as for Redis, lamina.redisAddress).
*/}}
{{- define "lamina.codeStoreUrl" -}}
{{- if include "lamina.codeStoreOn" . -}}
{{- $variable := include "lamina.codeStoreName" . | upper | replace "-" "_" -}}
{{- printf "http://$(%s_SERVICE_HOST):$(%s_SERVICE_PORT)" $variable $variable -}}
{{- else -}}
{{- .Values.codeStore.external.url -}}
{{- end -}}
{{- end -}}

{{/* Where the gateway's container finds the store's password (a mounted Secret key). */}}
{{- define "lamina.codeStorePasswordDir" -}}/etc/lamina/code-store{{- end -}}

{{/* The gateway's settings for the code store: Lamina__CodeStore__* (operator/Lamina.CodeStore CodeStoreOptions). */}}
{{- define "lamina.codeStoreEnv" -}}
{{- if include "lamina.codeStoreConfigured" . }}
- name: Lamina__CodeStore__Url
  value: {{ include "lamina.codeStoreUrl" . | quote }}
{{- if include "lamina.codeStoreSecretName" . }}
- name: Lamina__CodeStore__Username
  valueFrom:
    secretKeyRef:
      name: {{ include "lamina.codeStoreSecretName" . }}
      key: {{ ternary "username" .Values.codeStore.external.usernameKey (eq (include "lamina.codeStoreOn" .) "true") }}
- name: Lamina__CodeStore__PasswordFile
  value: {{ printf "%s/password" (include "lamina.codeStorePasswordDir" .) | quote }}
{{- end }}
{{- if .Values.codeStore.external.insecureSkipTlsVerify }}
- name: Lamina__CodeStore__InsecureSkipTlsVerify
  value: "true"
{{- end }}
{{- end }}
{{- end -}}

{{/* The gateway's volume and mount of the store's password, when it has credentials. */}}
{{- define "lamina.codeStoreVolumeMounts" -}}
{{- if and (include "lamina.codeStoreConfigured" .) (include "lamina.codeStoreSecretName" .) }}
- name: code-store
  mountPath: {{ include "lamina.codeStorePasswordDir" . }}
  readOnly: true
{{- end }}
{{- end -}}
{{- define "lamina.codeStoreVolumes" -}}
{{- if and (include "lamina.codeStoreConfigured" .) (include "lamina.codeStoreSecretName" .) }}
- name: code-store
  secret:
    secretName: {{ include "lamina.codeStoreSecretName" . }}
    items:
      - key: {{ ternary "password" .Values.codeStore.external.passwordKey (eq (include "lamina.codeStoreOn" .) "true") }}
        path: password
    # Read by the group (fsGroup 65532), nobody else.
    defaultMode: 0440
{{- end }}
{{- end -}}

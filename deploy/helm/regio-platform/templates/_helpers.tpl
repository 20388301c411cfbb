{{/* Name prefix of every object: the release name, cut to leave room for suffixes. */}}
{{- define "regio.name" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "regio.labels" -}}
app.kubernetes.io/part-of: regio-platform
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
regio-platform/region: {{ .Values.region | quote }}
{{- end -}}

{{/* Selector labels of one component (a service name, "migrations", "provision", a schedule). */}}
{{- define "regio.selector" -}}
app.kubernetes.io/name: regio-platform
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "regio.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* One service's values: serviceDefaults with the service's own entry on top. */}}
{{- define "regio.service" -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy .service) -}}
{{- toYaml $merged -}}
{{- end -}}

{{- define "regio.sasl" -}}
{{- if has .Values.kafka.securityProtocol (list "SASL_PLAINTEXT" "SASL_SSL") -}}true{{- end -}}
{{- end -}}

{{/* Environment of a container running one service's code: settings, its secret, the region's secret. A
     stateless service (the portal) has no database and no Kafka: its own secret and the services it calls. */}}
{{- define "regio.serviceEnv" -}}
{{- if .svc.stateless -}}
- name: {{ .svc.envPrefix }}_SECRET
  valueFrom: {secretKeyRef: {name: {{ include "regio.name" .root }}-{{ .name }}, key: SECRET}}
{{- range .svc.calls }}
- {name: {{ $.svc.envPrefix }}_{{ . | upper }}_URL, value: "http://{{ include "regio.name" $.root }}-{{ . }}"}
{{- end }}
- name: HOME
  value: /tmp
{{- else -}}
- name: {{ .svc.envPrefix }}_DATABASE_URL
  valueFrom: {secretKeyRef: {name: {{ include "regio.name" .root }}-{{ .name }}, key: DATABASE_URL}}
{{- if include "regio.sasl" .root }}
- name: KAFKA_SASL_USERNAME
  valueFrom: {secretKeyRef: {name: {{ include "regio.name" .root }}-{{ .name }}, key: KAFKA_SASL_USERNAME}}
- name: KAFKA_SASL_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ include "regio.name" .root }}-{{ .name }}, key: KAFKA_SASL_PASSWORD}}
{{- end }}
- name: OPS_TOKEN
  valueFrom: {secretKeyRef: {name: {{ include "regio.name" .root }}-region, key: OPS_TOKEN}}
- name: HOME
  value: /tmp
{{- end }}
{{- end -}}

{{/* The Kafka CA volume and its mount, when the brokers' CA comes from a Secret. */}}
{{- define "regio.caVolume" -}}
{{- if .Values.kafka.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.caSecret }}
    items: [{key: {{ .Values.kafka.caKey }}, path: ca.crt}]
{{- end }}
{{- end -}}
{{- define "regio.caMount" -}}
{{- if .Values.kafka.caSecret }}
- {name: kafka-ca, mountPath: /etc/regio-platform/kafka, readOnly: true}
{{- end }}
{{- end -}}

{{/* Region-wide settings (unprefixed variables, README: Settings), inline so hook jobs have them too. */}}
{{- define "regio.regionEnv" -}}
- {name: REGION, value: {{ .Values.region | quote }}}
- {name: LOG_LEVEL, value: {{ .Values.logLevel | quote }}}
- {name: KAFKA_BOOTSTRAP_SERVERS, value: {{ .Values.kafka.bootstrapServers | quote }}}
- {name: KAFKA_SECURITY_PROTOCOL, value: {{ .Values.kafka.securityProtocol | quote }}}
{{- if include "regio.sasl" . }}
- {name: KAFKA_SASL_MECHANISM, value: {{ required "kafka.saslMechanism is needed with a SASL_* protocol" .Values.kafka.saslMechanism | quote }}}
{{- end }}
{{- if .Values.kafka.caSecret }}
- {name: KAFKA_SSL_CAFILE, value: /etc/regio-platform/kafka/ca.crt}
{{- end }}
{{- if has .Values.kafka.securityProtocol (list "SSL" "SASL_SSL") }}
- {name: KAFKA_SSL_CHECK_HOSTNAME, value: {{ .Values.kafka.checkHostname | quote }}}
{{- end }}
{{- if .Values.tracing.otlpEndpoint }}
- {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ .Values.tracing.otlpEndpoint | quote }}}
{{- end }}
{{- end -}}

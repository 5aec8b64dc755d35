#!/usr/bin/env bash
# Validates the deployment files without a cluster or a Docker engine:
#   - the Helm chart (deploy/helm/newsflow): helm lint and helm template with
#     the default values and with ci/full-values.yaml, every rendered object
#     against the Kubernetes JSON schemas, the chart's own refusals (grace
#     period below the drain deadline, KEDA above the partition count, ...);
#   - deploy/k8s/*.yaml: the same schemas, and agreement with what the chart
#     renders by default (probes, ports, grace period, labels, resources,
#     the effective newsflow configuration);
#   - deploy/docker-compose.yml: loaded and validated by compose-go (the
#     loader of `docker compose`), plus the wiring between its services;
#   - deploy/grafana/newsflow-dashboard.json: every query names only metrics
#     that src/metrics.rs defines.
#
# Installs what is missing into a cache outside the checkout (default
# ~/.cache/newsflow, override with NEWSFLOW_CACHE) and reuses it afterwards:
# helm built from the Go module proxy, a Python venv with kubernetes-validate
# (the Kubernetes schemas, offline) from PyPI, and a compose-go loader built
# from the Go module proxy. Needs go and python3 (3.11+, for tomllib).
# Prints one line per check and "check-deploy: N passed, M failed"; exits 1
# on any failure.
set -euo pipefail

HELM_VERSION=v3.22.0
# Kubernetes version the chart is rendered and validated for.
K8S_VERSION=1.33.0
# The client-go minor of helm v3.22.0 (k8s.io/client-go v0.37): helm's
# release builds stamp it in as the default capabilities; go install does not.
HELM_K8S_MINOR=37
KUBERNETES_VALIDATE_VERSION=1.37.0
PYYAML_VERSION=6.0.3
COMPOSE_GO_VERSION=v2.16.2

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}"
BIN="$CACHE/bin"
VENV="$CACHE/venv"
HELM="$BIN/helm-$HELM_VERSION"
COMPOSE_CONFIG="$BIN/compose-config-$COMPOSE_GO_VERSION"
VENV_MARKER_TEXT="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION PyYAML==$PYYAML_VERSION"

log() { echo "check-deploy: $*" >&2; }
die() { log "$*"; exit 1; }

for tool in go python3; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (needs Go and Python 3.11+)"
done

mkdir -p "$BIN"
# Serialise concurrent installs; the loser finds the tools once it gets the lock.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.check-deploy.lock"
  flock 9
fi

started=$SECONDS

# helm, with the version and default Kubernetes version its release builds
# carry (otherwise `helm version` says v3.22 and helm assumes Kubernetes 1.20).
if ! [ -x "$HELM" ] || [ "$("$HELM" version --template '{{.Version}}' 2>/dev/null)" != "$HELM_VERSION" ]; then
  log "installing helm $HELM_VERSION from the Go module proxy (a few minutes on first use)"
  stage="$(mktemp -d "$CACHE/.helm.staging.XXXXXX")"
  p=helm.sh/helm/v3
  ldflags="-s -w -X $p/internal/version.version=$HELM_VERSION"
  for pkg in lint/rules chartutil; do
    ldflags="$ldflags -X $p/pkg/$pkg.k8sVersionMajor=1 -X $p/pkg/$pkg.k8sVersionMinor=$HELM_K8S_MINOR"
  done
  if ! GOBIN="$stage" nice -n 19 go install -trimpath -ldflags "$ldflags" "$p/cmd/helm@$HELM_VERSION" >&2; then
    rm -rf "$stage"
    die "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed"
  fi
  mv "$stage/helm" "$HELM"
  rm -rf "$stage"
fi
ln -sfn "$(basename "$HELM")" "$BIN/helm"

# compose-go: loads a compose file as `docker compose config` does
# (interpolation, the compose-spec schema, references between services)
# and prints the normalised model, which the checks below read.
if ! [ -x "$COMPOSE_CONFIG" ]; then
  log "building the compose-go $COMPOSE_GO_VERSION loader"
  src="$CACHE/src/compose-config-$COMPOSE_GO_VERSION"
  rm -rf "$src"
  mkdir -p "$src"
  cat >"$src/go.mod" <<EOF
module newsflow.local/compose-config

go 1.24

require github.com/compose-spec/compose-go/v2 $COMPOSE_GO_VERSION
EOF
  cat >"$src/main.go" <<'EOF'
// compose-config FILE...: the normalised compose model as YAML, or the
// loader's error and exit status 1.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(files []string) error {
	opts, err := cli.NewProjectOptions(files, cli.WithOsEnv)
	if err != nil {
		return err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalYAML()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
EOF
  if ! (cd "$src" && nice -n 19 go mod tidy >&2 && nice -n 19 go build -trimpath -o "$COMPOSE_CONFIG.tmp" . >&2); then
    die "building the compose-go loader failed"
  fi
  mv "$COMPOSE_CONFIG.tmp" "$COMPOSE_CONFIG"
fi

# The venv: kubernetes-validate ships the Kubernetes JSON schemas for each
# minor version, so validation needs no network.
if ! [ -f "$VENV/.installed" ] || [ "$(cat "$VENV/.installed")" != "$VENV_MARKER_TEXT" ]; then
  log "installing $VENV_MARKER_TEXT into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "PyYAML==$PYYAML_VERSION" >&2 \
    || die "pip install into $VENV failed"
  echo "$VENV_MARKER_TEXT" >"$VENV/.installed"
fi
"$VENV/bin/python" -c 'import tomllib' 2>/dev/null || die "$VENV has no tomllib: needs Python 3.11+"

if command -v flock >/dev/null 2>&1; then
  flock -u 9
fi
log "tools ready in $((SECONDS - started)) s: $("$HELM" version --template '{{.Version}}'), kubernetes-validate $KUBERNETES_VALIDATE_VERSION, compose-go $COMPOSE_GO_VERSION"

export CHECK_ROOT="$ROOT" CHECK_HELM="$HELM" CHECK_COMPOSE_CONFIG="$COMPOSE_CONFIG" CHECK_K8S_VERSION="$K8S_VERSION"
exec "$VENV/bin/python" - <<'PY'
import base64, copy, json, os, re, subprocess, sys, tempfile, time, tomllib
from pathlib import Path

import yaml
from kubernetes_validate import utils as kv

ROOT = Path(os.environ["CHECK_ROOT"])
HELM = os.environ["CHECK_HELM"]
COMPOSE_CONFIG = os.environ["CHECK_COMPOSE_CONFIG"]
K8S = os.environ["CHECK_K8S_VERSION"]
CHART = ROOT / "deploy/helm/newsflow"
FULL_VALUES = CHART / "ci/full-values.yaml"
t0 = time.monotonic()

# Custom resources: no schema in kubernetes-validate, so their schema check is
# skipped on purpose and the fields newsflow relies on are checked below.
CRD_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
}
RECOMMENDED = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
               "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
               "helm.sh/chart"]
SELECTOR = ["app.kubernetes.io/name", "app.kubernetes.io/instance"]

passed, failed = 0, []


class Fail(Exception):
    pass


def check(name, fn, *args):
    global passed
    try:
        note = fn(*args)
    except Fail as e:
        failed.append(name)
        print(f"FAIL {name}: {e}", flush=True)
    except Exception as e:  # a bug in a check or an unexpected shape: still a failure
        failed.append(name)
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    else:
        passed += 1
        print(f"ok   {name}" + (f" ({note})" if note else ""), flush=True)


def need(cond, msg):
    if not cond:
        raise Fail(msg)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def helm_template(*extra):
    return run([HELM, "template", "newsflow", str(CHART), "--namespace", "newsflow",
                "--kube-version", K8S, *extra])


def load_docs(text, where):
    try:
        docs = [d for d in yaml.safe_load_all(text) if d]
    except yaml.YAMLError as e:
        raise Fail(f"{where}: not YAML: {e}")
    for d in docs:
        need(isinstance(d, dict) and d.get("apiVersion") and d.get("kind")
             and (d.get("metadata") or {}).get("name"), f"{where}: an object without apiVersion/kind/metadata.name")
    return docs


def one(docs, kind, where):
    found = [d for d in docs if d["kind"] == kind]
    need(len(found) == 1, f"{where}: expected one {kind}, found {len(found)}")
    return found[0]


def kind_name(d):
    return f"{d['kind']}/{d['metadata']['name']}"


# ---------------------------------------------------------------- schemas

def validate_schemas(docs, where):
    skipped = []
    for d in docs:
        if (d["apiVersion"], d["kind"]) in CRD_KINDS:
            skipped.append(d["kind"])
            continue
        try:
            kv.validate(d, K8S, strict=True)
        except kv.ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            raise Fail(f"{where}: {kind_name(d)}: {path}: {e.message}")
        except kv.SchemaNotFoundError as e:
            raise Fail(f"{where}: {kind_name(d)}: {e.message}")
    note = f"{len(docs) - len(skipped)} objects against Kubernetes {K8S}"
    if skipped:
        note += f"; schema skipped for custom resources {', '.join(sorted(set(skipped)))}"
    return note


def strings_map(m, where):
    need(isinstance(m, dict) and m, f"{where}: must be a non-empty map")
    for k, v in m.items():
        need(isinstance(v, str), f"{where}.{k}: must be a string (the CRD types it map[string]string), got {v!r}")


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def check_custom_resources(docs, where):
    """Required fields of the CRDs, and that they point at objects that exist."""
    seen = []
    deploy = one(docs, "Deployment", where)
    pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
    container_ports = {p["name"] for c in deploy["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
    services = [d for d in docs if d["kind"] == "Service"]
    secrets = {d["metadata"]["name"] for d in docs if d["kind"] == "Secret"}
    auths = {d["metadata"]["name"]: d for d in docs if d["kind"] == "TriggerAuthentication"}
    for d in docs:
        spec = d.get("spec") or {}
        w = f"{where}: {kind_name(d)}"
        if d["kind"] == "ServiceMonitor":
            sel = (spec.get("selector") or {}).get("matchLabels")
            need(sel, f"{w}: spec.selector.matchLabels is required")
            eps = spec.get("endpoints")
            need(eps and all(e.get("port") for e in eps), f"{w}: spec.endpoints[].port is required")
            targets = [s for s in services if matches(sel, s["metadata"].get("labels", {}))]
            need(targets, f"{w}: selects no Service")
            for e in eps:
                need(any(e["port"] == p.get("name") for s in targets for p in s["spec"]["ports"]),
                     f"{w}: port {e['port']!r} is not a port name of the selected Service")
        elif d["kind"] == "PodMonitor":
            sel = (spec.get("selector") or {}).get("matchLabels")
            need(sel, f"{w}: spec.selector.matchLabels is required")
            need(matches(sel, pod_labels), f"{w}: selector does not match the pods' labels")
            eps = spec.get("podMetricsEndpoints")
            need(eps and all(e.get("port") in container_ports for e in eps),
                 f"{w}: podMetricsEndpoints[].port must name a container port ({sorted(container_ports)})")
        elif d["kind"] == "ScaledObject":
            ref = spec.get("scaleTargetRef") or {}
            need(ref.get("name") == deploy["metadata"]["name"] and ref.get("kind", "Deployment") == "Deployment",
                 f"{w}: scaleTargetRef must name Deployment {deploy['metadata']['name']}")
            need("replicas" not in deploy["spec"], f"{where}: the Deployment sets replicas although KEDA owns them")
            lo, hi = spec.get("minReplicaCount"), spec.get("maxReplicaCount")
            need(isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi,
                 f"{w}: needs integer minReplicaCount <= maxReplicaCount, got {lo}, {hi}")
            trig = spec.get("triggers")
            need(trig and len(trig) == 1 and trig[0].get("type") == "kafka", f"{w}: expected one trigger of type kafka")
            md = trig[0].get("metadata")
            strings_map(md, f"{w}: triggers[0].metadata")
            for k in ("bootstrapServers", "consumerGroup", "topic", "lagThreshold", "offsetResetPolicy"):
                need(md.get(k), f"{w}: trigger metadata {k} is required")
            need(md["lagThreshold"].isdigit() and int(md["lagThreshold"]) > 0, f"{w}: lagThreshold must be a positive integer")
            need(md["offsetResetPolicy"] in ("earliest", "latest"), f"{w}: offsetResetPolicy must be earliest or latest")
            auth = (trig[0].get("authenticationRef") or {}).get("name")
            if "sasl" in md:
                need(auth in auths, f"{w}: SASL needs an authenticationRef to a rendered TriggerAuthentication")
            if auth:
                need(auth in auths, f"{w}: authenticationRef {auth!r} is not rendered")
        elif d["kind"] == "TriggerAuthentication":
            refs = spec.get("secretTargetRef")
            need(refs and all(r.get("parameter") and r.get("name") and r.get("key") for r in refs),
                 f"{w}: secretTargetRef[] needs parameter, name and key")
            params = {r["parameter"] for r in refs}
            need({"username", "password"} <= params, f"{w}: needs the username and password parameters")
            for r in refs:
                need(r["name"] in secrets, f"{w}: Secret {r['name']!r} is not rendered")
        else:
            continue
        seen.append(d["kind"])
    return ", ".join(seen) if seen else "none rendered"


# ------------------------------------------------------ newsflow semantics

def newsflow_config(docs, where):
    cm = one(docs, "ConfigMap", where)
    text = (cm.get("data") or {}).get("default.toml")
    need(text, f"{where}: ConfigMap {cm['metadata']['name']} has no default.toml")
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        raise Fail(f"{where}: default.toml is not TOML: {e}")


def deep_merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def effective_config(cfg):
    """The configuration newsflow runs with: config/default.toml (compiled in) under the file."""
    return deep_merge(tomllib.loads((ROOT / "config/default.toml").read_text()), cfg)


def container(deploy):
    cs = deploy["spec"]["template"]["spec"]["containers"]
    return next(c for c in cs if c["name"] == "newsflow")


def check_deployment(docs, where, chart):
    deploy = one(docs, "Deployment", where)
    cfg, text = newsflow_config(docs, where)
    eff = effective_config(cfg)
    pod = deploy["spec"]["template"]
    spec = pod["spec"]
    c = container(deploy)
    ann = pod["metadata"].get("annotations") or {}
    if chart:
        need(re.fullmatch(r"[0-9a-f]{64}", str(ann.get("checksum/config", ""))),
             f"{where}: pod template lacks the checksum/config annotation (pods would not roll on config changes)")
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    need("http" in ports, f"{where}: no container port named http")
    for probe, path in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
        get = (c.get(probe) or {}).get("httpGet") or {}
        need(get.get("path") == path and get.get("port") in ("http", ports["http"]),
             f"{where}: {probe} must GET {path} on port http, has {get}")
    listen = eff["http"]["listen"]
    need(listen.rsplit(":", 1)[-1] == str(ports["http"]),
         f"{where}: http.listen {listen!r} does not use containerPort http ({ports['http']})")
    if ann.get("prometheus.io/scrape") == "true":
        need(ann.get("prometheus.io/port") == str(ports["http"]) and ann.get("prometheus.io/path") == "/metrics",
             f"{where}: prometheus.io/* annotations must point at port {ports['http']} /metrics")
    drain = eff["shutdown"]["drain_timeout_ms"]
    for e in c.get("env", []):
        if e["name"].upper() == "NEWSFLOW_SHUTDOWN__DRAIN_TIMEOUT_MS" and "value" in e:
            drain = int(e["value"])
    grace = spec.get("terminationGracePeriodSeconds", 30)
    need(grace * 1000 > drain + 5000,
         f"{where}: terminationGracePeriodSeconds {grace} s is not above drain_timeout_ms {drain} ms + 5 s")
    ru = deploy["spec"].get("strategy", {}).get("rollingUpdate", {})
    need(ru.get("maxSurge") == 0 and ru.get("maxUnavailable") == 1,
         f"{where}: rolling update must be maxSurge 0, maxUnavailable 1 (one rebalance per step), has {ru}")
    psc, csc = spec.get("securityContext") or {}, c.get("securityContext") or {}
    need(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001
         and (psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
         f"{where}: pod securityContext must run as non-root 10001 with seccomp RuntimeDefault")
    need(csc.get("readOnlyRootFilesystem") is True and csc.get("allowPrivilegeEscalation") is False
         and (csc.get("capabilities") or {}).get("drop") == ["ALL"],
         f"{where}: container securityContext must have a read-only root, no privilege escalation, drop ALL")
    need(((c.get("resources") or {}).get("limits") or {}).get("memory"), f"{where}: no memory limit")
    need(spec.get("topologySpreadConstraints"), f"{where}: no topologySpreadConstraints")
    sel = deploy["spec"]["selector"]["matchLabels"]
    need(matches(sel, pod["metadata"]["labels"]), f"{where}: selector does not match the pod template's labels")
    for tsc in spec["topologySpreadConstraints"]:
        need(tsc.get("labelSelector", {}).get("matchLabels") == sel,
             f"{where}: topologySpreadConstraints labelSelector must be the Deployment's selector")
    # Secrets: never values in the ConfigMap; file references must point into a mounted Secret.
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    secret_files = set()
    for v in spec.get("volumes", []):
        if "secret" in v and v["name"] in mounts:
            items = v["secret"].get("items")
            for it in items or []:
                secret_files.add(f"{mounts[v['name']].rstrip('/')}/{it['path']}")
            if not items:
                secret_files.add(mounts[v["name"]].rstrip("/") + "/*")
    refs = 0
    for section in ("consumer", "producer"):
        for k, v in (eff["kafka"].get(section) or {}).items():
            v = str(v)
            m = re.fullmatch(r"\s*\$\{file:(.+)\}\s*", v)
            if m:
                path = m.group(1).strip()
                need(path in secret_files or os.path.dirname(path) + "/*" in secret_files,
                     f"{where}: kafka.{section}.{k} reads {path}, which no mounted Secret provides")
                refs += 1
            elif re.search(r"password|secret|token", k):
                raise Fail(f"{where}: kafka.{section}.{k} is a value in the ConfigMap; use a ${{file:...}} reference")
    for d in docs:
        if d["kind"] == "Secret":
            values = dict(d.get("stringData") or {})
            values.update({k: base64.b64decode(v).decode() for k, v in (d.get("data") or {}).items()})
            for k, val in values.items():
                if re.search(r"password|secret|token", k):
                    need(str(val) not in text, f"{where}: the value of Secret key {k} appears in the ConfigMap")
    return f"grace {grace} s, drain {drain} ms, port {ports['http']}" + (f", {refs} secret file references" if refs else "")


def check_labels(docs, where):
    deploy = one(docs, "Deployment", where)
    for d in docs:
        labels = d["metadata"].get("labels") or {}
        missing = [k for k in RECOMMENDED if not labels.get(k)]
        need(not missing, f"{where}: {kind_name(d)} lacks labels {missing}")
    pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
    missing = [k for k in RECOMMENDED if not pod_labels.get(k)]
    need(not missing, f"{where}: pod template lacks labels {missing}")
    for d in docs:
        sel = None
        if d["kind"] in ("Deployment", "PodDisruptionBudget"):
            sel = d["spec"]["selector"]["matchLabels"]
        elif d["kind"] == "Service":
            sel = d["spec"]["selector"]
        if sel is not None:
            need(sorted(sel) == sorted(SELECTOR), f"{where}: {kind_name(d)} selector must be {SELECTOR} only, is {sorted(sel)}")
            need(matches(sel, pod_labels), f"{where}: {kind_name(d)} selector does not match the pods")
    for d in docs:
        if d["kind"] == "Service":
            for p in d["spec"]["ports"]:
                need(p.get("targetPort") in ("http", container(deploy)["ports"][0]["containerPort"]),
                     f"{where}: {kind_name(d)} targetPort must be the http container port")
    return f"{len(docs)} objects"


def check_pdb(docs, where):
    pdb = one(docs, "PodDisruptionBudget", where)
    need(pdb["spec"].get("maxUnavailable") == 1, f"{where}: PodDisruptionBudget must allow maxUnavailable 1")


def check_keda_matches_config(docs, where):
    so = one(docs, "ScaledObject", where)
    cfg, _ = newsflow_config(docs, where)
    eff = effective_config(cfg)
    md = so["spec"]["triggers"][0]["metadata"]
    need(md["bootstrapServers"] == eff["kafka"]["brokers"], f"{where}: trigger bootstrapServers differ from kafka.brokers")
    need(md["consumerGroup"] == eff["kafka"]["group_id"], f"{where}: trigger consumerGroup differs from kafka.group_id")
    need(md["topic"] == eff["topics"]["input"], f"{where}: trigger topic differs from topics.input")
    reset = str(eff["kafka"]["consumer"].get("auto.offset.reset", "latest"))
    want = "earliest" if reset in ("earliest", "smallest", "beginning") else "latest"
    need(md["offsetResetPolicy"] == want, f"{where}: offsetResetPolicy {md['offsetResetPolicy']} but auto.offset.reset is {reset}")
    sasl = "sasl.mechanisms" in eff["kafka"]["consumer"]
    need(("sasl" in md) == sasl, f"{where}: the trigger's SASL setting must follow the consumer's")
    return f"lagThreshold {md['lagThreshold']}, replicas {so['spec']['minReplicaCount']}..{so['spec']['maxReplicaCount']}"


# ------------------------------------------------- chart vs deploy/k8s/

def check_raw_matches_chart(chart_docs, raw_docs):
    cd, rd = one(chart_docs, "Deployment", "chart"), one(raw_docs, "Deployment", "deploy/k8s")
    diffs = []

    def same(what, a, b):
        if a != b:
            diffs.append(f"{what}: chart {a!r} vs deploy/k8s {b!r}")

    same("replicas", cd["spec"].get("replicas"), rd["spec"].get("replicas"))
    same("revisionHistoryLimit", cd["spec"].get("revisionHistoryLimit"), rd["spec"].get("revisionHistoryLimit"))
    same("strategy", cd["spec"].get("strategy"), rd["spec"].get("strategy"))
    cs, rs = cd["spec"]["template"]["spec"], rd["spec"]["template"]["spec"]
    for k in ("terminationGracePeriodSeconds", "automountServiceAccountToken", "securityContext"):
        same(k, cs.get(k), rs.get(k))
    strip = lambda tscs: [{k: v for k, v in t.items() if k != "labelSelector"} for t in tscs or []]
    same("topologySpreadConstraints", strip(cs.get("topologySpreadConstraints")), strip(rs.get("topologySpreadConstraints")))
    cc, rc = container(cd), container(rd)
    for k in ("image", "args", "livenessProbe", "readinessProbe", "resources", "securityContext", "volumeMounts"):
        same(k, cc.get(k), rc.get(k))
    same("ports", [(p["name"], p["containerPort"]) for p in cc["ports"]], [(p["name"], p["containerPort"]) for p in rc["ports"]])
    env = lambda c: {e["name"]: e.get("value") for e in c.get("env", []) if "value" in e}
    same("env RUST_LOG", env(cc).get("RUST_LOG"), env(rc).get("RUST_LOG"))
    vols = lambda s: {v["name"]: v for v in s.get("volumes", [])}
    same("volumes", vols(cs), vols(rs))
    pa = lambda d: {k: v for k, v in (d["spec"]["template"]["metadata"].get("annotations") or {}).items() if k.startswith("prometheus.io/")}
    same("prometheus annotations", pa(cd), pa(rd))
    # Objects of the chart's default render must all exist in deploy/k8s/.
    kinds = lambda docs: sorted(d["kind"] for d in docs)
    same("object kinds", kinds(chart_docs), kinds(raw_docs))
    for d in raw_docs:
        labels = d["metadata"].get("labels") or {}
        for k in ("app.kubernetes.io/name", "app.kubernetes.io/component"):
            if not labels.get(k):
                diffs.append(f"deploy/k8s {kind_name(d)} lacks label {k}")
        match = [c for c in chart_docs if c["kind"] == d["kind"]]
        for k in ("app.kubernetes.io/name", "app.kubernetes.io/component"):
            if match and labels.get(k) != (match[0]["metadata"].get("labels") or {}).get(k):
                diffs.append(f"{kind_name(d)} label {k}: chart {match[0]['metadata']['labels'].get(k)!r} vs deploy/k8s {labels.get(k)!r}")
    same("ConfigMap name", one(chart_docs, "ConfigMap", "chart")["metadata"]["name"], one(raw_docs, "ConfigMap", "deploy/k8s")["metadata"]["name"])
    same("PodDisruptionBudget", one(chart_docs, "PodDisruptionBudget", "chart")["spec"]["maxUnavailable"],
         one(raw_docs, "PodDisruptionBudget", "deploy/k8s")["spec"]["maxUnavailable"])
    svc = lambda docs: [(p["name"], p["port"], p["targetPort"]) for p in one(docs, "Service", "x")["spec"]["ports"]]
    same("Service ports", svc(chart_docs), svc(raw_docs))
    ce = effective_config(newsflow_config(chart_docs, "chart")[0])
    re_ = effective_config(newsflow_config(raw_docs, "deploy/k8s")[0])
    for section in sorted(set(ce) | set(re_)):
        same(f"effective config [{section}]", ce.get(section), re_.get(section))
    need(not diffs, "; ".join(diffs))
    return "deployment, probes, ports, grace period, resources, labels, Service, PDB, effective config"


# ---------------------------------------------------------- chart refusals

def expect_refusal(args, words):
    r = helm_template(*args)
    need(r.returncode != 0, f"helm template {' '.join(args)} rendered, but must fail")
    need(all(w in r.stderr for w in words), f"failed without naming {words}: {r.stderr.strip()[:300]}")
    return r.stderr.strip().splitlines()[0].split("): ", 1)[-1][:160]


def expect_render(args):
    r = helm_template(*args)
    need(r.returncode == 0, f"helm template {' '.join(args)} failed: {r.stderr.strip()[:300]}")


def check_notes():
    """NOTES.txt is rendered only by install and upgrade: render it through a wrapper template in a copy."""
    import shutil
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "newsflow"
        shutil.copytree(CHART, chart)
        (chart / "templates/notes-check.yaml").write_text(
            'notes: |\n{{ include (print $.Template.BasePath "/NOTES.txt") . | indent 2 }}\n')
        for extra in ([], ["-f", str(FULL_VALUES)]):
            r = run([HELM, "template", "newsflow", str(chart), "--kube-version", K8S,
                     "-s", "templates/notes-check.yaml", *extra])
            need(r.returncode == 0, f"NOTES.txt does not render{' with ' + extra[1] if extra else ''}: {r.stderr.strip()[:300]}")
            need("Consumer group" in yaml.safe_load(r.stdout)["notes"], "NOTES.txt rendered empty")


# ----------------------------------------------------------------- compose

def metric_names():
    src = (ROOT / "src/metrics.rs").read_text()
    names = set(re.findall(r'"(newsflow_[a-z0-9_]+)"', src))
    consts = dict(re.findall(r'const\s+(\w+)\s*:\s*&str\s*=\s*"(newsflow_[a-z0-9_]+)"', src))
    hist = {consts.get(c, c) for c in re.findall(r"describe_histogram!\(\s*(\w+)", src)}
    hist |= {n for n in names if n.endswith("_seconds")}
    return names, hist


def check_compose():
    f = ROOT / "deploy/docker-compose.yml"
    r = run([COMPOSE_CONFIG, str(f)])
    need(r.returncode == 0, f"compose-go rejects {f.relative_to(ROOT)}: {r.stderr.strip()}")
    model = yaml.safe_load(r.stdout)
    svcs = model["services"]
    for s in ("kafka", "kafka-init", "newsflow", "prometheus", "grafana"):
        need(s in svcs, f"no service {s}")
    k = svcs["kafka"]
    env = k.get("environment") or {}
    for v in ("KAFKA_NODE_ID", "KAFKA_PROCESS_ROLES", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS",
              "KAFKA_CONTROLLER_LISTENER_NAMES", "KAFKA_CONTROLLER_QUORUM_VOTERS", "CLUSTER_ID"):
        need(env.get(v), f"kafka: {v} is not set")
    need(set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, "kafka: must be broker and controller (KRaft, one node)")
    need(k["image"].startswith("apache/kafka:"), "kafka: expected the apache/kafka image")
    need(k.get("healthcheck", {}).get("test"), "kafka: needs a healthcheck (kafka-init waits for it)")
    init = svcs["kafka-init"]
    need((init.get("depends_on") or {}).get("kafka", {}).get("condition") == "service_healthy",
         "kafka-init must depend on kafka being healthy")
    script = " ".join(init.get("command") or [])
    topics = tomllib.loads((ROOT / "config/default.toml").read_text())["topics"]
    for t in topics.values():
        need(re.search(rf"(^|[\s\"']){re.escape(t)}([\s;\"']|$)", script), f"kafka-init does not create topic {t}")
    need("kafka-topics.sh" in script and "--partitions" in script, "kafka-init must create topics with kafka-topics.sh --partitions")
    nf = svcs["newsflow"]
    build = nf.get("build") or {}
    need(Path(build.get("context", "")).resolve() == ROOT, "newsflow: build context must be the repository root")
    need((ROOT / build.get("dockerfile", "")).resolve() == ROOT / "deploy/Dockerfile", "newsflow: must build deploy/Dockerfile")
    need((nf.get("depends_on") or {}).get("kafka-init", {}).get("condition") == "service_completed_successfully",
         "newsflow must wait for kafka-init to complete successfully")
    brokers = (nf.get("environment") or {}).get("NEWSFLOW_KAFKA__BROKERS", "")
    advertised = {a.split("://", 1)[1] for a in env["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    need(brokers and all(b in advertised for b in brokers.split(",")),
         f"newsflow: NEWSFLOW_KAFKA__BROKERS {brokers!r} is not an advertised listener of kafka ({sorted(advertised)})")
    need(any(b.split(":")[0] == "kafka" for b in brokers.split(",")), "newsflow: brokers must be reached by the service name kafka")
    default = tomllib.loads((ROOT / "config/default.toml").read_text())
    port = default["http"]["listen"].rsplit(":", 1)[1]
    grace = nf.get("stop_grace_period", "10s")
    m = re.fullmatch(r"(\d+)s", str(grace))
    need(m and int(m.group(1)) * 1000 > default["shutdown"]["drain_timeout_ms"] + 5000,
         f"newsflow: stop_grace_period {grace} must exceed shutdown.drain_timeout_ms + 5 s")
    # Bind mounts exist; Prometheus scrapes newsflow; Grafana gets the dashboard.
    mounts = {}
    for name, s in svcs.items():
        for v in s.get("volumes") or []:
            if v["type"] == "bind":
                need(Path(v["source"]).exists(), f"{name}: bind mount source {v['source']} does not exist")
                mounts[(name, v["target"])] = Path(v["source"])
    prom_file = mounts.get(("prometheus", "/etc/prometheus/prometheus.yml"))
    need(prom_file, "prometheus: deploy/compose/prometheus.yml must be mounted at /etc/prometheus/prometheus.yml")
    prom = yaml.safe_load(prom_file.read_text())
    targets = [t for sc in prom.get("scrape_configs", []) for st in sc.get("static_configs", []) for t in st.get("targets", [])]
    need(f"newsflow:{port}" in targets, f"prometheus.yml does not scrape newsflow:{port} (targets {targets})")
    prov = next((src for (svc, tgt), src in mounts.items() if svc == "grafana" and tgt == "/etc/grafana/provisioning"), None)
    need(prov, "grafana: provisioning directory not mounted at /etc/grafana/provisioning")
    dsf = list((prov / "datasources").glob("*.y*ml"))
    need(dsf, "grafana: no datasource provisioning file")
    ds = [d for f in dsf for d in yaml.safe_load(f.read_text()).get("datasources", [])]
    need(any(d.get("type") == "prometheus" and d.get("url") == "http://prometheus:9090" for d in ds),
         "grafana: no Prometheus datasource at http://prometheus:9090")
    dbf = list((prov / "dashboards").glob("*.y*ml"))
    need(dbf, "grafana: no dashboard provider file")
    paths = [p["options"]["path"] for f in dbf for p in yaml.safe_load(f.read_text()).get("providers", [])]
    dash_dir = next((tgt for (svc, tgt), src in mounts.items() if svc == "grafana" and src == ROOT / "deploy/grafana"), None)
    need(dash_dir and dash_dir in paths, f"grafana: deploy/grafana must be mounted at a provider path ({paths})")
    return f"{len(svcs)} services, images " + ", ".join(sorted(s["image"] for s in svcs.values() if "build" not in s))


# ----------------------------------------------------------------- grafana

def check_dashboard():
    f = ROOT / "deploy/grafana/newsflow-dashboard.json"
    try:
        dash = json.loads(f.read_text())
    except json.JSONDecodeError as e:
        raise Fail(f"{f.relative_to(ROOT)} is not JSON: {e}")
    names, hist = metric_names()
    need(names, "src/metrics.rs defines no newsflow_* names")
    variables = (dash.get("templating") or {}).get("list") or []
    need(any(v.get("type") == "datasource" and v.get("query") == "prometheus" for v in variables),
         "no Prometheus datasource template variable")
    ds_var = next(v["name"] for v in variables if v.get("type") == "datasource")
    exprs = []
    for v in variables:
        if v.get("type") == "query":
            q = v.get("query")
            exprs.append((f"variable {v['name']}", q.get("query") if isinstance(q, dict) else q))

    def walk(panels):
        for p in panels:
            yield p
            yield from walk(p.get("panels") or [])

    ids = []
    used = set()
    for p in walk(dash.get("panels") or []):
        ids.append(p.get("id"))
        if p.get("type") == "row":
            continue
        need((p.get("datasource") or {}).get("uid") == f"${{{ds_var}}}", f"panel {p.get('title')!r}: datasource must be ${{{ds_var}}}")
        need(p.get("targets"), f"panel {p.get('title')!r} has no queries")
        for t in p["targets"]:
            exprs.append((f"panel {p.get('title')!r}", t.get("expr")))
    need(len(ids) == len(set(ids)), "panel ids are not unique")
    for where, e in exprs:
        need(e and e.strip(), f"{where}: empty query")
        tokens = re.findall(r"\bnewsflow_[a-z0-9_]+", e)
        need(tokens, f"{where}: references no newsflow metric: {e}")
        for tok in tokens:
            base = re.sub(r"_(bucket|sum|count)$", "", tok)
            if tok in names:
                used.add(tok)
                continue
            need(base != tok and base in hist, f"{where}: {tok} is not a metric of src/metrics.rs")
            used.add(base)
        for m in re.finditer(r"histogram_quantile\(\s*[0-9.]+\s*,.*?\b(newsflow_[a-z0-9_]+)", e):
            need(m.group(1).endswith("_bucket"), f"{where}: histogram_quantile must read {m.group(1)}_bucket")
    unused = sorted(names - used)
    return f"{len(exprs)} queries over {len(used)} metrics" + (f"; not shown: {', '.join(unused)}" if unused else "")


# ------------------------------------------------------------------ run it

rendered = {}


def lint(label, *extra):
    r = run([HELM, "lint", "--strict", "--kube-version", K8S, str(CHART), *extra])
    need(r.returncode == 0, (r.stdout + r.stderr).strip()[-800:])


def render(label, *extra):
    r = helm_template(*extra)
    need(r.returncode == 0, r.stderr.strip()[-800:])
    rendered[label] = load_docs(r.stdout, f"helm template ({label})")
    return ", ".join(sorted(kind_name(d) for d in rendered[label]))


def raw_manifests():
    files = sorted((ROOT / "deploy/k8s").glob("*.yaml"))
    need(files, "no deploy/k8s/*.yaml")
    rendered["deploy/k8s"] = [d for f in files for d in load_docs(f.read_text(), str(f.relative_to(ROOT)))]
    return f"{len(files)} files"


def on(label, fn, *args):
    """Runs fn on a render that exists; a failed render already failed its own check."""
    if label not in rendered:
        raise Fail(f"no {label} render")
    return fn(rendered[label], label, *args)


check("helm lint (default values)", lint, "default")
check("helm lint (ci/full-values.yaml)", lint, "full", "-f", str(FULL_VALUES))
check("helm template (default values)", render, "default")
check("helm template (ci/full-values.yaml)", render, "full", "-f", str(FULL_VALUES))
check("deploy/k8s parses", raw_manifests)
for label in ("default", "full", "deploy/k8s"):
    check(f"{label}: Kubernetes schemas", on, label, validate_schemas)
    check(f"{label}: custom resources", on, label, check_custom_resources)
    check(f"{label}: Deployment, probes, grace period, secrets", on, label, check_deployment, label != "deploy/k8s")
    check(f"{label}: PodDisruptionBudget", on, label, check_pdb)
for label in ("default", "full"):
    check(f"{label}: recommended labels and selectors", on, label, check_labels)
check("full: KEDA trigger follows the newsflow config", on, "full", check_keda_matches_config)
check("full: no replicas under KEDA", lambda: need("replicas" not in one(rendered["full"], "Deployment", "full")["spec"], "replicas set"))
check("deploy/k8s agrees with the chart's defaults", lambda: check_raw_matches_chart(rendered["default"], rendered["deploy/k8s"]))
check("refused: grace period not above drain + 5 s",
      expect_refusal, ["--set", "terminationGracePeriodSeconds=25"], ["terminationGracePeriodSeconds"])
check("refused: drain deadline raised by extraEnv",
      expect_refusal, ["--set", "extraEnv[0].name=NEWSFLOW_SHUTDOWN__DRAIN_TIMEOUT_MS", "--set-string", "extraEnv[0].value=60000"],
      ["terminationGracePeriodSeconds"])
check("accepted: grace period 1 s above the limit", expect_render, ["--set", "terminationGracePeriodSeconds=26"])
check("refused: KEDA maxReplicaCount above input.partitions",
      expect_refusal, ["--set", "keda.enabled=true,keda.maxReplicaCount=7,input.partitions=6"], ["maxReplicaCount", "partitions"])
check("refused: raw config listening on another port",
      expect_refusal, ["--set-string", 'config=[http]\nlisten = "0.0.0.0:9100"'], ["http.listen"])
check("refused: a password in the raw config",
      expect_refusal, ["--set-string", 'config=[kafka.consumer]\n"sasl.password" = "hunter2"'], ["sasl.password"])
check("refused: SASL without credentials", expect_refusal, ["--set", "sasl.enabled=true"], ["sasl.existingSecret"])
check("NOTES.txt renders (default and full values)", check_notes)
check("deploy/docker-compose.yml", check_compose)
check("deploy/grafana/newsflow-dashboard.json", check_dashboard)

print(f"check-deploy: {passed} passed, {len(failed)} failed ({time.monotonic() - t0:.1f} s of checks)")
sys.exit(1 if failed else 0)
PY

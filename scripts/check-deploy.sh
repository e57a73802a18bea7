#!/usr/bin/env bash
# Checks deploy/container/ and deploy/k8s/ without a cluster or a container
# engine (ctest deploy.manifests): yamllint (Debian's) on every manifest;
# the manifests' shape (one replica, a ReadWriteOncePod volume, gRPC probes
# on evald's health services, every ConfigMap and Secret they mount made by
# the kustomization or named in it); every flag of the ConfigMap's
# evald.flags is one the built evald knows; every package the Containerfile
# installs exists in Debian 12's archive.
#   scripts/check-deploy.sh EVALD_BINARY
set -euo pipefail
evald=$1
top=$(cd "$(dirname "$0")/.." && pwd)
k8s="$top/deploy/k8s"

yamllint -d '{extends: default, rules: {line-length: {max: 100}, document-start: disable, comments: {min-spaces-from-content: 1}}}' "$k8s"

python3 - "$k8s" "$evald" "$top/deploy/container/Containerfile" <<'PY'
import re, subprocess, sys, yaml, pathlib
k8s, evald, containerfile = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
docs = []
kustomization = yaml.safe_load((k8s / "kustomization.yaml").read_text())
for name in kustomization["resources"]:
    docs += [d for d in yaml.safe_load_all((k8s / name).read_text()) if d]
by_kind = {}
for d in docs:
    assert {"apiVersion", "kind", "metadata"} <= d.keys(), d
    by_kind.setdefault(d["kind"], []).append(d)
fail = []
sts = by_kind["StatefulSet"][0]
if sts["spec"]["replicas"] != 1:
    fail.append("the StatefulSet must have replicas: 1 (RocksDB is single-writer)")
claims = sts["spec"]["volumeClaimTemplates"]
if [c["spec"]["accessModes"] for c in claims] != [["ReadWriteOncePod"]]:
    fail.append("the data volume must be ReadWriteOncePod")
pod = sts["spec"]["template"]["spec"]
container = pod["containers"][0]
if container["readinessProbe"]["grpc"] != {"port": 50051, "service": "evald.writes"}:
    fail.append("readiness must be the gRPC health of evald.writes")
if container["livenessProbe"]["grpc"]["port"] != 50051:
    fail.append("liveness must be gRPC health on 50051")
if not pod["securityContext"].get("runAsNonRoot"):
    fail.append("the pod must run as non-root")
made = {d["metadata"]["name"] for d in by_kind.get("ConfigMap", [])}
secrets_named = set(re.findall(r"create secret \w+ (\S+)",
                               (k8s / "kustomization.yaml").read_text()))
for d in by_kind["StatefulSet"] + by_kind["CronJob"]:
    spec = d["spec"]["template"]["spec"] if d["kind"] == "StatefulSet" else \
        d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    for v in spec.get("volumes", []):
        if "configMap" in v and v["configMap"]["name"] not in made:
            fail.append(f"volume {v['name']}: ConfigMap {v['configMap']['name']} is not made")
        if "secret" in v and v["secret"]["secretName"] not in secrets_named:
            fail.append(f"volume {v['name']}: Secret {v['secret']['secretName']} is not named")
    for c in spec["containers"]:
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["name"] not in secrets_named:
                fail.append(f"env {e['name']}: Secret {ref['name']} is not named")
help_text = subprocess.run([evald, "--help"], capture_output=True, text=True).stdout
known = set(re.findall(r"--([a-z_]+)", help_text))
flags = next(d for d in by_kind["ConfigMap"] if d["metadata"]["name"] == "evald-config")
for line in flags["data"]["evald.flags"].splitlines():
    name = line.split("=")[0].lstrip("-")
    if name not in known:
        fail.append(f"evald.flags: --{name} is not a flag of evald")
text = pathlib.Path(containerfile).read_text()
install = re.search(r"apt-get install -y --no-install-recommends \\\n(.*?)\\\n && rm",
                    text, re.S).group(1)
packages = install.replace("\\", " ").split()
for pkg in packages:
    r = subprocess.run(["apt-cache", "show", pkg], capture_output=True)
    if r.returncode != 0:
        fail.append(f"Containerfile: package {pkg} is not in the archive")
if fail:
    print("\n".join(fail))
    sys.exit(1)
print(f"deploy: {len(docs)} manifests, {len(known)} evald flags known, "
      f"{len(packages)} runtime packages found; all checks pass")
PY

#!/usr/bin/python3
"""The benchmarks of docs/benchmarks.md: `make bench` runs this.

    bench/run_bench.py --build-dir build-bench [--doc docs/benchmarks.md]
                       [--quick] [--duration S] [--no-pg] [--keep]

In one run it measures evald and its baselines on this machine:

  submit   durable SubmitProfessionalScore calls on random evaluations of
           the 50,000-project database, at 1, 8 and 64 calls in flight, next
           to the no-op gRPC server (bench/noop_server) and PostgreSQL
           (pgbench running bench/pg/submit.sql) at the same concurrency;
           each concurrency runs noop, evald, PostgreSQL back to back so a
           change in the machine's background load hits all three alike
  get/list GetEvaluation and ListEvaluations (a project's 10 evaluations)
           at 8 and 64 in flight, evald next to the no-op server
  summary  GetSummary over the seeded database, one call at a time
  overview GetYearOverview of one service year (the dashboard's first
           page), one call at a time; the dashboard's JavaScript gzipped,
           and its first render in Chromium against this evald
  restart  exec -> "evald listening on" with >= 1,000,000 audit events,
           after graceful stops and after a SIGKILL
  memory   evald's peak RSS (VmHWM) over all of the above

It prints one line per workload and last
  bench: submit_vs_noop=R1 submit_vs_pg=R2 read_vs_noop=R3
(ratios of throughput at 64 calls in flight; R3 is the lower of get and
list), writes everything as JSON under <build-dir>/bench-results/, and
replaces the block between the "bench:results" markers of --doc.

The database is made by bench/evald_seed (the Engine called directly, no
gRPC) and kept in <build-dir>/bench-cache/ under a key of the seeding
tool's binary and the parameters, so a second run copies it instead.
Uses only the Python standard library and Debian's PostgreSQL 15.
"""

import argparse
import datetime
import glob
import gzip
import hashlib
import json
import os
import platform
import pwd
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import etcd_step

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BIN = "/usr/lib/postgresql/15/bin"
CLK_TCK = os.sysconf("SC_CLK_TCK")
BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def log(msg):
    print(msg, flush=True)


def note(msg):
    print("  " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """user + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def vm_hwm_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def machine_busy(seconds=1.0):
    """Share of the machine's CPU busy over `seconds`, from /proc/stat."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return sum(v), idle
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


class Server:
    """A child process that prints "<name> listening on HOST:PORT"."""

    def __init__(self, argv, marker, name, log_path):
        self.name = name
        with open(log_path, "ab") as err:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                         stderr=err, start_new_session=True)
        line = b""
        deadline = time.monotonic() + 120
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([self.proc.stdout], [], [],
                                        max(0.0, deadline - time.monotonic()))
            if not ready:
                self.kill()
                raise RuntimeError(f"{name} did not start in 120 s")
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError(f"{name} exited before listening "
                                   f"(status {self.proc.wait()})")
            line += chunk
        self.start_seconds = time.perf_counter() - t0
        text = line.decode().strip()
        if not text.startswith(marker):
            self.kill()
            raise RuntimeError(f"{name}: unexpected first line {text!r}")
        self.address = text[len(marker):].strip()
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.bin = {
            "evald": os.path.join(self.build, "server", "evald"),
            "load": os.path.join(self.build, "bench", "evald_load"),
            "noop": os.path.join(self.build, "bench", "noop_server"),
            "seed": os.path.join(self.build, "bench", "evald_seed"),
            "evalutl": os.path.join(self.build, "server", "evalutl"),
        }
        for name, path in self.bin.items():
            if not os.access(path, os.X_OK):
                sys.exit(f"run_bench: {path} is missing: build the "
                         f"bench_tools target first")
        self.work = tempfile.mkdtemp(prefix="evald-bench-")
        self.results = {"runs": []}
        self.evald = None
        self.noop = None
        self.pg = None

    # ----------------------------------------------------------- helpers

    def load(self, target, mode, inflight, label, duration=None, calls=None,
             server_pid=None, token=None, warmup=None, projects=None):
        argv = [self.bin["load"], f"--target={target}", f"--mode={mode}",
                f"--inflight={inflight}",
                f"--projects={projects or self.args.projects}", "--json",
                f"--label={label}", f"--channels={self.args.channels}"]
        if calls:
            argv.append(f"--calls={calls}")
        else:
            argv += [f"--duration={duration or self.args.duration}",
                     f"--warmup={self.args.warmup if warmup is None else warmup}"]
        if token:
            argv.append(f"--token={token}")
        cpu0 = cpu_seconds(server_pid) if server_pid else None
        out = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
        cpu1 = cpu_seconds(server_pid) if server_pid else None
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if r["errors"]:
            note(f"{label}: {r['errors']} errors, first: {r['first_error']}")
        if server_pid and r["all_calls"]:
            r["server_cpu_us_per_call"] = (cpu1 - cpu0) * 1e6 / r["all_calls"]
        r["client_cpu_us_per_call"] = (r["client_cpu_s"] * 1e6 /
                                       max(1, r["all_calls"]))
        r["system"] = label.split(":")[0]
        self.results["runs"].append(r)
        return r

    def dashboard(self):
        """The bundle's gzipped size, and the first render in Chromium."""
        dist = os.path.join(ROOT, "web", "dist", "assets")
        files = sorted(glob.glob(os.path.join(dist, "*.js")))
        if not files:
            note("no web/dist: run scripts/build-web.sh for dashboard figures")
            return
        sizes = {}
        for path in files:
            with open(path, "rb") as f:
                sizes[os.path.basename(path)] = len(gzip.compress(f.read(), 9))
        first = next((v for k, v in sizes.items() if k.startswith("index-")), 0)
        d = {"js_gzip_bytes": sum(sizes.values()),
             "first_page_js_gzip_bytes": first, "files": sizes}
        out = subprocess.run(
            ["node", os.path.join(ROOT, "web", "bench", "first_render.mjs"),
             f"http://127.0.0.1:{self.http_port}", "demo-bureau",
             str(2019 + 5), "5"],
            capture_output=True, text=True, timeout=600)
        if out.returncode == 0:
            d["first_render"] = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            note(f"first render failed: {out.stderr.strip()[-500:]}")
        self.results["dashboard"] = d
        fr = d.get("first_render", {})
        log(f"bench dashboard JS {d['js_gzip_bytes'] / 1024:.0f} KiB gzipped "
            f"({first / 1024:.0f} KiB before any export); first render "
            f"median {fr.get('median_ms', float('nan')):.0f} ms max "
            f"{fr.get('max_ms', float('nan')):.0f} ms")

    def principals(self):
        path = os.path.join(self.work, "principals.txt")
        with open(path, "w") as f:
            subprocess.run([os.path.join(ROOT, "scripts", "make-principals.sh"),
                            os.path.join(ROOT, "deploy", "demo", "tokens.txt")],
                           stdout=f, check=True)
        return path

    def start_evald(self, data_dir):
        self.http_port = free_port()
        argv = [self.bin["evald"], "--listen=127.0.0.1:0",
                f"--http_listen=127.0.0.1:{self.http_port}",
                f"--data_dir={data_dir}", f"--principals={self.principals_file}",
                "--rate_limit_qps=0",
                f"--web_dir={os.path.join(ROOT, 'web', 'dist')}",
                f"--block_cache_mb={self.args.block_cache_mb}"]
        if self.args.workers:
            argv.append(f"--workers={self.args.workers}")
        return Server(argv, "evald listening on ", "evald",
                      os.path.join(self.work, "evald.log"))

    def probe_health(self, seconds):
        """Latencies of GET /healthz on the HTTP port, one every 20 ms."""
        url = f"http://127.0.0.1:{self.http_port}/healthz"
        lat, failed = [], 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=1.0) as r:
                    r.read()
                lat.append((time.perf_counter() - t0) * 1e3)
            except OSError:
                failed += 1
            time.sleep(0.02)
        lat.sort()

        def pct(q):
            return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else None
        return {"probes": len(lat) + failed, "failed": failed,
                "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                "max_ms": lat[-1] if lat else None}

    # ----------------------------------------------------------- steps

    def seed(self):
        """A copy of the seeded database in the work directory."""
        a = self.args
        with open(self.bin["seed"], "rb") as f:
            key = hashlib.sha256(f.read()).hexdigest()[:16]
        key = f"seed-{a.projects}p-{a.audit_events}e-{key}"
        cache_root = os.path.join(self.build, "bench-cache")
        cached = os.path.join(cache_root, key)
        info = {"cached": os.path.isdir(cached)}
        if not info["cached"]:
            for old in glob.glob(os.path.join(cache_root, "seed-*")):
                shutil.rmtree(old, ignore_errors=True)
            os.makedirs(cache_root, exist_ok=True)
            tmp = cached + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            log(f"seeding {a.projects} projects and {a.audit_events} audit "
                f"events with bench/evald_seed (cached for later runs) ...")
            t0 = time.perf_counter()
            out = subprocess.run(
                [self.bin["seed"], f"--data_dir={tmp}",
                 f"--projects={a.projects}",
                 f"--audit_events={a.audit_events}", "--threads=2"],
                stdout=subprocess.PIPE, text=True, check=True)
            info["seed_seconds"] = time.perf_counter() - t0
            info["seed_output"] = out.stdout.strip()
            with open(os.path.join(tmp, "SEED"), "w") as f:
                json.dump(info, f)
            os.rename(tmp, cached)
        else:
            with open(os.path.join(cached, "SEED")) as f:
                info.update({k: v for k, v in json.load(f).items()
                             if k != "cached"})
        data = os.path.join(self.work, "data")
        shutil.copytree(cached, data)
        os.remove(os.path.join(data, "SEED"))
        info["db_mib"] = sum(os.path.getsize(p) for p in
                             glob.glob(os.path.join(data, "*"))) / 2**20
        self.results["seed"] = info
        return data

    def start_pg(self):
        a = self.args
        pgdir = os.path.join(self.work, "pg")
        os.makedirs(pgdir)
        as_pg = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.work, user.pw_uid, user.pw_gid)
            os.chown(pgdir, user.pw_uid, user.pw_gid)
            as_pg = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        subprocess.run(as_pg + [f"{PG_BIN}/initdb", "-D", f"{pgdir}/data",
                                "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                       stdout=subprocess.DEVNULL, check=True)
        opts = (f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 "
                f"-c max_connections=200 -c synchronous_commit=on -c fsync=on")
        subprocess.run(as_pg + [f"{PG_BIN}/pg_ctl", "-D", f"{pgdir}/data",
                                "-l", f"{pgdir}/log", "-w", "-o", opts,
                                "start"],
                       stdout=subprocess.DEVNULL, check=True)
        self.pg = {"dir": pgdir, "port": port, "as_pg": as_pg}
        t0 = time.perf_counter()
        subprocess.run([f"{PG_BIN}/psql", "-q", "-h", "127.0.0.1", "-p",
                        str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1",
                        "-v", f"projects={a.projects}", "-f",
                        os.path.join(ROOT, "bench", "pg", "schema.sql")],
                       stdout=subprocess.DEVNULL, check=True,
                       env=dict(os.environ,
                                PGOPTIONS="-c client_min_messages=warning"))
        version = subprocess.run([f"{PG_BIN}/postgres", "--version"],
                                 stdout=subprocess.PIPE, text=True).stdout
        self.results["pg"] = {"seed_seconds": time.perf_counter() - t0,
                              "version": version.strip()}

    def stop_pg(self):
        if not self.pg:
            return
        subprocess.run(self.pg["as_pg"] + [f"{PG_BIN}/pg_ctl", "-D",
                                           f"{self.pg['dir']}/data", "-m",
                                           "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL)
        self.pg = None

    def pgbench(self, clients, label):
        a = self.args
        base = ["pgbench" if shutil.which("pgbench") else f"{PG_BIN}/pgbench",
                "-h", "127.0.0.1", "-p", str(self.pg["port"]), "-U",
                "postgres", "-n", "-M", "prepared", "-c", str(clients), "-j",
                str(min(clients, 2)), "-D", f"projects={a.projects}", "-f",
                os.path.join(ROOT, "bench", "pg", "submit.sql")]
        # Warm-up (connections, plans, caches), then the measured run.
        subprocess.run(base + ["-T", str(max(1, round(a.warmup))),
                               "postgres"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prefix = os.path.join(self.work, f"pglog{clients}")
        out = subprocess.run(base + ["-T", str(round(a.duration)), "-l",
                                     f"--log-prefix={prefix}", "postgres"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, cwd=self.work)
        tps = float(re.search(r"tps = ([0-9.]+) \(without initial",
                              out.stdout).group(1))
        failed = re.search(r"number of failed transactions: (\d+)",
                           out.stdout)
        lat = []
        for path in glob.glob(prefix + ".*"):
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 3:
                        lat.append(int(parts[2]) / 1000.0)
            os.remove(path)
        lat.sort()

        def pct(q):
            return lat[min(len(lat) - 1, int(q * (len(lat) - 1) + 0.5))]
        r = {"label": label, "system": "postgresql", "mode": "submit",
             "inflight": clients, "calls": len(lat), "qps": tps,
             "errors": int(failed.group(1)) if failed else 0,
             "seconds": a.duration,
             "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99),
             "max_ms": lat[-1], "mean_ms": sum(lat) / len(lat)}
        self.results["runs"].append(r)
        return r

    # ----------------------------------------------------------- workloads

    def run(self):
        a = self.args
        t_start = time.perf_counter()
        self.results["machine"] = self.machine()
        log(f"bench: machine {self.results['machine']['cpu']} x "
            f"{self.results['machine']['cores']}, background CPU busy "
            f"{self.results['machine']['busy_before'] * 100:.0f}% before the "
            f"run")
        self.principals_file = self.principals()
        data = self.seed()
        s = self.results["seed"]
        log(f"bench seed      {a.projects} projects, {a.audit_events} audit "
            f"events, {s['db_mib']:.0f} MiB"
            + (f", seeded in {s['seed_seconds']:.0f} s" if not s["cached"]
               else " (cached seed)"))
        if not a.no_pg:
            self.start_pg()
        self.noop = Server([self.bin["noop"], "--listen=127.0.0.1:0",
                            f"--workers={a.workers or 32}"],
                           "noop_server listening on ", "noop_server",
                           os.path.join(self.work, "noop_server.log"))
        self.evald = self.start_evald(data)
        self.results["first_start_seconds"] = self.evald.start_seconds
        ev, nz = self.evald, self.noop

        # (a) durable submissions, interleaved per concurrency.
        sub = {}
        for c in a.inflight:
            n = self.load(nz.address, "noop", c, f"noop:submit:{c}",
                          server_pid=nz.pid)
            e = self.load(ev.address, "submit", c, f"evald:submit:{c}",
                          server_pid=ev.pid)
            p = None if a.no_pg else self.pgbench(c, f"postgresql:submit:{c}")
            sub[c] = (e, n, p)
            log(f"bench submit    inflight={c:<3} evald {e['qps']:7.0f}/s "
                f"p50 {e['p50_ms']:6.2f} ms p99 {e['p99_ms']:6.2f} ms | noop "
                f"{n['qps']:7.0f}/s | postgresql "
                + (f"{p['qps']:6.0f}/s p50 {p['p50_ms']:6.2f} ms p99 "
                   f"{p['p99_ms']:6.2f} ms" if p else "-")
                + f" | evald/noop {e['qps'] / n['qps']:.2f}"
                + (f" evald/pg {e['qps'] / p['qps']:.2f}" if p else ""))
        self.stop_pg()

        # (a2) the same submissions on the replicated store (etcd_step.py).
        etcd = etcd_step.run(self, {c: sub[c][2] for c in a.inflight
                                    if sub[c][2]}, log, Server, free_port)
        self.results["etcd"] = {str(c): r for c, r in etcd.items()}

        # (b) dashboard reads.
        reads = {}
        for mode in ("get", "list"):
            for c in a.read_inflight:
                n = self.load(nz.address, mode, c, f"noop:{mode}:{c}",
                              server_pid=nz.pid)
                e = self.load(ev.address, mode, c, f"evald:{mode}:{c}",
                              server_pid=ev.pid)
                reads[(mode, c)] = (e, n)
                log(f"bench {mode:<9} inflight={c:<3} evald {e['qps']:7.0f}/s "
                    f"p50 {e['p50_ms']:6.2f} ms p99 {e['p99_ms']:6.2f} ms | "
                    f"noop {n['qps']:7.0f}/s p50 {n['p50_ms']:6.2f} ms | "
                    f"evald/noop {e['qps'] / n['qps']:.2f}")

        # (c) the summary over the seeded database.
        summ = self.load(ev.address, "summary", 1, "evald:summary:1",
                         calls=a.summary_calls, server_pid=ev.pid)
        log(f"bench summary   {a.projects} projects: p50 "
            f"{summ['p50_ms']:.2f} ms p99 {summ['p99_ms']:.2f} ms max "
            f"{summ['max_ms']:.2f} ms ({summ['calls']} calls, "
            f"{summ['reply_bytes']:.0f} bytes)")

        # (c2) the dashboard: its overview RPC, its bundle, its first render.
        ov = self.load(ev.address, "overview", 1, "evald:overview:1",
                       calls=a.summary_calls, server_pid=ev.pid)
        log(f"bench overview  {a.projects} projects, one year: p50 "
            f"{ov['p50_ms']:.2f} ms p99 {ov['p99_ms']:.2f} ms max "
            f"{ov['max_ms']:.2f} ms ({ov['calls']} calls, "
            f"{ov['reply_bytes']:.0f} bytes)")
        self.dashboard()

        # Peak memory over everything so far, then a graceful stop.
        self.results["evald_vm_hwm_mib"] = vm_hwm_mib(ev.pid)
        self.results["noop_vm_hwm_mib"] = vm_hwm_mib(nz.pid)
        log(f"bench memory    evald peak RSS (VmHWM) "
            f"{self.results['evald_vm_hwm_mib']:.0f} MiB with "
            f"--block_cache_mb={a.block_cache_mb} (noop_server "
            f"{self.results['noop_vm_hwm_mib']:.0f} MiB)")
        # (e) the health probe, idle and under overload: GET /healthz every
        # 20 ms, alone and while `overload` get calls are in flight. After
        # the memory figure: 2,000 calls in flight cost memory of their own,
        # reported apart.
        idle = self.probe_health(3.0)
        loader = threading.Thread(target=lambda: self.load(
            ev.address, "get", a.overload, f"evald:get-overload:{a.overload}",
            server_pid=ev.pid))
        loader.start()
        time.sleep(a.warmup + 0.5)
        busy = self.probe_health(max(1.0, a.duration - 1.0))
        loader.join()
        self.results["health"] = {"idle": idle, "overload": busy,
                                  "overload_inflight": a.overload}
        log(f"bench health    /healthz idle p50 {idle['p50_ms']:.2f} ms p99 "
            f"{idle['p99_ms']:.2f} ms | with {a.overload} calls in flight p50 "
            f"{busy['p50_ms']:.2f} ms p99 {busy['p99_ms']:.2f} ms max "
            f"{busy['max_ms']:.2f} ms ({busy['probes']} probes, "
            f"{busy['failed']} failed)")
        self.results["evald_vm_hwm_overload_mib"] = vm_hwm_mib(ev.pid)

        written = sum(r.get("all_calls", 0) for r in self.results["runs"]
                      if r["system"] == "evald" and r["mode"] == "submit")
        self.results["audit_events_at_restart"] = a.audit_events + written
        ev.stop()
        nz.stop()

        # (d) restart time.
        restarts = []
        for i in range(a.restarts):
            srv = self.start_evald(data)
            restarts.append(srv.start_seconds)
            if i == 0:
                # A first summary after the restart: a cold block cache.
                cold = self.load(srv.address, "summary", 1,
                                 "evald:summary-cold:1", calls=1)
                self.results["summary_cold_ms"] = cold["p50_ms"]
            srv.stop()
        # Crash recovery: killed while writing, so the WAL holds data.
        srv = self.start_evald(data)
        self.load(srv.address, "submit", 64, "evald:submit-before-kill:64",
                  duration=2, warmup=0)
        srv.kill()
        srv = self.start_evald(data)
        crash = srv.start_seconds
        srv.stop()
        self.results["restart_seconds"] = restarts
        self.results["restart_after_kill_seconds"] = crash
        log(f"bench restart   {self.results['audit_events_at_restart']} audit "
            f"events: {' '.join(f'{t:.2f}' for t in restarts)} s after "
            f"SIGTERM, {crash:.2f} s after SIGKILL (first start after the "
            f"seed {self.results['first_start_seconds']:.2f} s)")

        # Ratios at the highest concurrency.
        top = max(a.inflight)
        e, n, p = sub[top]
        r1 = e["qps"] / n["qps"]
        r2 = e["qps"] / p["qps"] if p else float("nan")
        rtop = max(a.read_inflight)
        r3 = min(reads[("get", rtop)][0]["qps"] / reads[("get", rtop)][1]["qps"],
                 reads[("list", rtop)][0]["qps"] /
                 reads[("list", rtop)][1]["qps"])
        self.results["ratios"] = {"submit_vs_noop": r1, "submit_vs_pg": r2,
                                  "read_vs_noop": r3, "inflight": top}
        self.results["machine"]["busy_after"] = machine_busy()
        self.results["seconds"] = time.perf_counter() - t_start
        self.write()
        log(f"bench: submit_vs_noop={r1:.2f} submit_vs_pg={r2:.2f} "
            f"read_vs_noop={r3:.2f}")

    # ----------------------------------------------------------- report

    def machine(self):
        cpu = "unknown"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kib = int(f.readline().split()[1])
        # fdatasync latency of the disk the data lives on.
        path = os.path.join(self.work, "fsync-probe")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT)
        lat = []
        for _ in range(50):
            t = time.perf_counter()
            os.write(fd, b"x" * 512)
            os.fdatasync(fd)
            lat.append((time.perf_counter() - t) * 1000)
        os.close(fd)
        os.remove(path)
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short",
                              "HEAD"], stdout=subprocess.PIPE, text=True,
                             stderr=subprocess.DEVNULL).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"],
                               stdout=subprocess.PIPE, text=True,
                               stderr=subprocess.DEVNULL).stdout.strip()
        pkgs = {}
        for pkg in ("libgrpc++1.51", "librocksdb7.8", "postgresql-15"):
            v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                               stdout=subprocess.PIPE, text=True,
                               stderr=subprocess.DEVNULL).stdout.strip()
            pkgs[pkg] = v or "?"
        return {
            "date": datetime.datetime.now(datetime.timezone.utc)
                    .strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(mem_kib / 2**20, 1),
            "kernel": platform.release(),
            "os": platform.freedesktop_os_release().get("PRETTY_NAME", "?"),
            "fdatasync_ms_p50": statistics.median(lat),
            "busy_before": machine_busy(),
            "loadavg": os.getloadavg()[0],
            "git": rev + ("+changes" if dirty else ""),
            "packages": pkgs,
        }

    def write(self):
        out_dir = os.path.join(self.build, "bench-results")
        os.makedirs(out_dir, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        with open(os.path.join(out_dir, f"bench-{stamp}.json"), "w") as f:
            json.dump(self.results, f, indent=1, default=str)
        md = self.markdown()
        with open(os.path.join(out_dir, f"bench-{stamp}.md"), "w") as f:
            f.write(md)
        doc = self.args.doc
        if doc:
            text = open(doc).read() if os.path.exists(doc) else ""
            if BEGIN in text and END in text:
                head, rest = text.split(BEGIN, 1)
                tail = rest.split(END, 1)[1]
                text = head + BEGIN + "\n" + md + END + tail
            else:
                text += "\n" + BEGIN + "\n" + md + END + "\n"
            with open(doc, "w") as f:
                f.write(text)
            note(f"figures written to {doc}")

    def markdown(self):
        R, a = self.results, self.args
        m = R["machine"]
        runs = {r["label"]: r for r in R["runs"]}

        def f(v, d=2):
            return "–" if v is None else f"{v:.{d}f}"

        def cpu(r):
            return f(r.get("server_cpu_us_per_call"), 0) if r else "–"
        L = []
        L.append(f"Measured {m['date']} by `make bench` (git {m['git']}): "
                 f"{m['os']}, kernel {m['kernel']}, {m['cores']} × {m['cpu']},"
                 f" {m['memory_gib']} GiB; gRPC {m['packages']['libgrpc++1.51']},"
                 f" RocksDB {m['packages']['librocksdb7.8']}, "
                 f"{R.get('pg', {}).get('version', 'PostgreSQL not run')}. "
                 f"fdatasync on the data disk: {m['fdatasync_ms_p50']:.2f} ms "
                 f"(median of 50). Background CPU load when the run started: "
                 f"{m['busy_before'] * 100:.0f}% busy (load average "
                 f"{m['loadavg']:.1f}); when it ended: "
                 f"{m['busy_after'] * 100:.0f}%. Whole run: "
                 f"{R['seconds']:.0f} s.")
        L.append("")
        s = R["seed"]
        L.append(f"Database: {a.projects:,} projects × 5 years × 2 phases "
                 f"({a.projects * 10:,} evaluations, {a.projects * 15:,} "
                 f"tranches) and {a.audit_events:,} audit events, "
                 f"{s['db_mib']:.0f} MiB on disk; made by `bench/evald_seed`"
                 + (f" in {s['seed_seconds']:.0f} s" if "seed_seconds" in s
                    else "")
                 + (" (this run reused the cached copy)" if s["cached"]
                    else "")
                 + f". evald flags: `--rate_limit_qps=0 --block_cache_mb="
                 f"{a.block_cache_mb}`"
                 + (f" `--workers={a.workers}`" if a.workers else
                    " (default `--workers=32`)")
                 + f". Each throughput run: {a.warmup:g} s warm-up, then "
                 f"{a.duration:g} s measured.")
        L.append("")
        L.append("**(a) Durable score submissions** (SubmitProfessionalScore,"
                 " synced WAL; PostgreSQL: bench/pg/submit.sql, "
                 "synchronous_commit=on)")
        L.append("")
        L.append("| in flight | evald calls/s | p50 ms | p99 ms | no-op calls/s"
                 " | p50 ms | p99 ms | PostgreSQL tx/s | p50 ms | p99 ms | "
                 "evald/no-op | evald/PostgreSQL | evald CPU µs/call | no-op "
                 "CPU µs/call |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for c in a.inflight:
            e = runs[f"evald:submit:{c}"]
            n = runs[f"noop:submit:{c}"]
            p = runs.get(f"postgresql:submit:{c}")
            L.append(f"| {c} | {e['qps']:.0f} | {f(e['p50_ms'])} | "
                     f"{f(e['p99_ms'])} | {n['qps']:.0f} | {f(n['p50_ms'])} | "
                     f"{f(n['p99_ms'])} | "
                     + (f"{p['qps']:.0f} | {f(p['p50_ms'])} | "
                        f"{f(p['p99_ms'])} | " if p else "– | – | – | ")
                     + f"{e['qps'] / n['qps']:.2f} | "
                     + (f"{e['qps'] / p['qps']:.2f}" if p else "–")
                     + f" | {cpu(e)} | {cpu(n)} |")
        L.append("")
        etcd = R.get("etcd") or {}
        if etcd:
            es = R["etcd_seed"]
            L.append("**(a2) The same submissions on the replicated store** "
                     "(`--store=etcd`: 3 etcd members on this machine, each "
                     "fsyncing its WAL; a call's reads are one read-only Txn "
                     "and its writes one nested Txn, batched with the calls "
                     "of the same moment; seed of "
                     f"{es['projects']} projects: {es['copy']}, by "
                     "`evalutl copy`)")
            L.append("")
            L.append("| in flight | evald-on-etcd calls/s | p50 ms | p99 ms | "
                     "evald-on-RocksDB calls/s | PostgreSQL tx/s | "
                     "etcd/PostgreSQL | evald CPU µs/call | etcd CPU µs/call "
                     "(3 members) |")
            L.append("|---|---|---|---|---|---|---|---|---|")
            for c in a.inflight:
                x = etcd.get(str(c))
                if not x:
                    continue
                e = runs[f"evald:submit:{c}"]
                p = runs.get(f"postgresql:submit:{c}")
                L.append(f"| {c} | {x['qps']:.0f} | {f(x['p50_ms'])} | "
                         f"{f(x['p99_ms'])} | {e['qps']:.0f} | "
                         + (f"{p['qps']:.0f} | {x['qps'] / p['qps']:.2f}"
                            if p else "– | –")
                         + f" | {cpu(x)} | "
                         f"{x.get('etcd_cpu_us_per_call', 0):.0f} |")
            L.append("")
            fo = R.get("etcd_failover")
            if fo:
                L.append(f"**Fail-over**: the etcd leader killed with `kill "
                         f"-9` 3 s into 8 s of submissions at 8 in flight: "
                         f"writes stalled {fo['max_gap_ms']:.0f} ms (the "
                         f"longest time without a successful submission); "
                         f"{fo['calls']} succeeded, {fo['errors']} were "
                         f"refused UNAVAILABLE while no leader was elected, "
                         f"for their clients to retry.")
                L.append("")
        L.append("**(b) Dashboard reads** (GetEvaluation of a random "
                 "evaluation; ListEvaluations of a random project: 10 "
                 "evaluations)")
        L.append("")
        L.append("| call | in flight | evald calls/s | p50 ms | p99 ms | "
                 "no-op calls/s | p50 ms | p99 ms | evald/no-op | evald CPU "
                 "µs/call | reply bytes |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for mode in ("get", "list"):
            for c in a.read_inflight:
                e = runs[f"evald:{mode}:{c}"]
                n = runs[f"noop:{mode}:{c}"]
                L.append(f"| {mode} | {c} | {e['qps']:.0f} | {f(e['p50_ms'])}"
                         f" | {f(e['p99_ms'])} | {n['qps']:.0f} | "
                         f"{f(n['p50_ms'])} | {f(n['p99_ms'])} | "
                         f"{e['qps'] / n['qps']:.2f} | {cpu(e)} | "
                         f"{e['reply_bytes']:.0f} |")
        L.append("")
        sm = runs["evald:summary:1"]
        L.append(f"**(c) Summary** over the whole database (GetSummary, no "
                 f"filter, {sm['calls']} calls one at a time, "
                 f"{sm['reply_bytes']:.0f}-byte reply): p50 "
                 f"{f(sm['p50_ms'])} ms, p99 {f(sm['p99_ms'])} ms, max "
                 f"{f(sm['max_ms'])} ms; first call after a restart "
                 f"{f(R.get('summary_cold_ms'))} ms.")
        L.append("")
        ov = runs["evald:overview:1"]
        dash = R.get("dashboard", {})
        fr = dash.get("first_render", {})
        L.append(f"**(c2) The dashboard.** Its overview of one service year "
                 f"({a.projects:,} projects, 100 townships: GetYearOverview, "
                 f"{ov['calls']} calls one at a time, "
                 f"{ov['reply_bytes']:.0f}-byte reply): p50 "
                 f"{f(ov['p50_ms'])} ms, p99 {f(ov['p99_ms'])} ms, max "
                 f"{f(ov['max_ms'])} ms. Its JavaScript: "
                 f"{dash.get('js_gzip_bytes', 0) / 1024:.0f} KiB gzipped in "
                 f"all, {dash.get('first_page_js_gzip_bytes', 0) / 1024:.0f}"
                 f" KiB before the first export loads ExcelJS. First render "
                 f"in Chromium (navigation to the overview's rows on screen, "
                 f"5 fresh pages against this evald): median "
                 f"{fr.get('median_ms', 0):.0f} ms, max "
                 f"{fr.get('max_ms', 0):.0f} ms.")
        L.append("")
        rs = R["restart_seconds"]
        L.append(f"**(d) Restart** with {R['audit_events_at_restart']:,} "
                 f"audit events (exec to the \"evald listening on\" line): "
                 f"{', '.join(f'{t:.2f}' for t in rs)} s after graceful "
                 f"stops; {R['restart_after_kill_seconds']:.2f} s after a "
                 f"SIGKILL during 64-in-flight submissions; first start "
                 f"after the seed {R['first_start_seconds']:.2f} s.")
        L.append("")
        L.append(f"**Memory**: evald's peak RSS (VmHWM) over all of the above"
                 f" on the {a.projects:,}-project database: "
                 f"{R['evald_vm_hwm_mib']:.0f} MiB with `--block_cache_mb="
                 f"{a.block_cache_mb}` (noop_server: "
                 f"{R['noop_vm_hwm_mib']:.0f} MiB).")
        L.append("")
        h = R.get("health")
        if h:
            L.append(f"**Health under overload**: `GET /healthz` on the HTTP "
                     f"port every 20 ms: idle p50 {f(h['idle']['p50_ms'])} ms, "
                     f"p99 {f(h['idle']['p99_ms'])} ms; with "
                     f"{h['overload_inflight']:,} get calls in flight on the "
                     f"gRPC port p50 {f(h['overload']['p50_ms'])} ms, p99 "
                     f"{f(h['overload']['p99_ms'])} ms, max "
                     f"{f(h['overload']['max_ms'])} ms, "
                     f"{h['overload']['failed']} of "
                     f"{h['overload']['probes']} probes failed (1 s timeout). "
                     f"evald's peak RSS after the overload: "
                     f"{R['evald_vm_hwm_overload_mib']:.0f} MiB.")
            L.append("")
        top = max(a.inflight)
        rt = R["ratios"]
        e64 = runs[f"evald:submit:{top}"]
        targets = [
            ("durable submissions ≥ 3× PostgreSQL", f"{rt['submit_vs_pg']:.2f}×",
             rt["submit_vs_pg"] >= 3),
            ("durable submissions ≥ 0.35× no-op",
             f"{rt['submit_vs_noop']:.2f}×", rt["submit_vs_noop"] >= 0.35),
            ("reads ≥ 0.7× no-op (lower of get, list)",
             f"{rt['read_vs_noop']:.2f}×", rt["read_vs_noop"] >= 0.7),
            (f"p99 ≤ 10 ms at {top} in flight (submit)",
             f"{e64['p99_ms']:.1f} ms", e64["p99_ms"] <= 10),
            ("summary ≤ 50 ms (p99)", f"{sm['p99_ms']:.1f} ms",
             sm["p99_ms"] <= 50),
            ("dashboard overview ≤ 100 ms (p99)", f"{ov['p99_ms']:.1f} ms",
             ov["p99_ms"] <= 100),
            ("dashboard JS ≤ 1 MB gzipped",
             f"{dash.get('js_gzip_bytes', 0) / 1024:.0f} KiB",
             0 < dash.get("js_gzip_bytes", 0) <= 1024 * 1024),
            ("dashboard first render ≤ 1 s (slowest of 5)",
             f"{fr.get('max_ms', 0):.0f} ms",
             0 < fr.get("max_ms", 0) <= 1000),
            ("restart ≤ 2 s (slowest measured)",
             f"{max(rs + [R['restart_after_kill_seconds']]):.2f} s",
             max(rs + [R["restart_after_kill_seconds"]]) <= 2),
            ("evald peak RSS ≤ 300 MiB", f"{R['evald_vm_hwm_mib']:.0f} MiB",
             R["evald_vm_hwm_mib"] <= 300),
        ]
        etcd_top = (R.get("etcd") or {}).get(str(top))
        pg_top = runs.get(f"postgresql:submit:{top}")
        if etcd_top and pg_top:
            ratio = etcd_top["qps"] / pg_top["qps"]
            targets.append(("evald-on-etcd submissions ≥ 1× PostgreSQL",
                            f"{ratio:.2f}×", ratio >= 1))
        L.append(f"**Targets** (ratios at {top} calls in flight)")
        L.append("")
        L.append("| target | measured | met |")
        L.append("|---|---|---|")
        for name, value, ok in targets:
            L.append(f"| {name} | {value} | {'yes' if ok else '**no**'} |")
        L.append("")
        L.append("```")
        L.append(f"bench: submit_vs_noop={rt['submit_vs_noop']:.2f} "
                 f"submit_vs_pg={rt['submit_vs_pg']:.2f} "
                 f"read_vs_noop={rt['read_vs_noop']:.2f}")
        L.append("```")
        return "\n".join(L) + "\n"

    def cleanup(self):
        for srv in (self.evald, self.noop):
            if srv:
                srv.kill()
        self.stop_pg()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            note(f"kept {self.work}")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    p.add_argument("--doc", default=os.path.join(ROOT, "docs",
                                                 "benchmarks.md"),
                   help="markdown file whose results block is replaced "
                        "('' for none)")
    p.add_argument("--projects", type=int, default=50000)
    p.add_argument("--audit-events", type=int, default=1000000)
    p.add_argument("--duration", type=float, default=5)
    p.add_argument("--warmup", type=float, default=1)
    p.add_argument("--inflight", type=int, nargs="+", default=[1, 8, 64])
    p.add_argument("--read-inflight", type=int, nargs="+", default=[8, 64])
    p.add_argument("--overload", type=int, default=2000,
                   help="calls in flight while the health probe is timed")
    p.add_argument("--summary-calls", type=int, default=200)
    p.add_argument("--restarts", type=int, default=3)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--workers", type=int, default=0,
                   help="evald --workers (0: evald's default)")
    p.add_argument("--block-cache-mb", type=int, default=64)
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--etcd-projects", type=int, default=200,
                   help="projects of the etcd step's own seed")
    p.add_argument("--keep", action="store_true",
                   help="keep the work directory")
    p.add_argument("--quick", action="store_true",
                   help="2,000 projects, 40,000 events, 2 s runs: a check "
                        "of the harness, not figures")
    a = p.parse_args()
    if a.quick:
        a.projects, a.audit_events, a.duration = 2000, 40000, 2
        a.warmup, a.summary_calls, a.restarts = 0.5, 50, 1
        if a.doc == p.get_default("doc"):
            a.doc = ""
    b = Bench(a)
    try:
        b.run()
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()

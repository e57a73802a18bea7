"""The replicated store in `make bench` (#15, docs/deployment.md).

The same submit workload as evald-on-RocksDB and PostgreSQL, against evald
on a 3-member etcd cluster on this machine (Debian's etcd-server, default
heartbeat and election timeouts, each member fsyncing its own WAL), at the
same concurrencies, and then the fail-over: the etcd leader killed with
kill -9 under load, and how long writes stalled. Its seed is small (--etcd-projects, copied from a
RocksDB seed with `evalutl copy`): the workload's cost is the commit, which
does not depend on how much is stored.
"""

import json
import os
import shutil
import subprocess
import time

ETCD = "/usr/bin/etcd"


def start_cluster(work, free_port):
    """Three etcd members on loopback; returns (processes, endpoints)."""
    members = [(f"m{i}", free_port(), free_port()) for i in range(3)]
    initial = ",".join(f"{n}=http://127.0.0.1:{p}" for n, _, p in members)
    procs = []
    for name, client, peer in members:
        data = os.path.join(work, "etcd", name)
        os.makedirs(data)
        log = open(os.path.join(work, f"etcd-{name}.log"), "w")
        procs.append(subprocess.Popen(
            [ETCD, f"--name={name}", f"--data-dir={data}",
             f"--listen-client-urls=http://127.0.0.1:{client}",
             f"--advertise-client-urls=http://127.0.0.1:{client}",
             f"--listen-peer-urls=http://127.0.0.1:{peer}",
             f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
             f"--initial-cluster={initial}", "--initial-cluster-state=new",
             "--initial-cluster-token=evald-bench", "--log-level=error",
             "--logger=zap"],
            stdout=log, stderr=subprocess.STDOUT))
    endpoints = ",".join(f"127.0.0.1:{c}" for _, c, _ in members)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ok = subprocess.run(
            ["etcdctl", f"--endpoints={endpoints}", "put", "/bench/ready",
             "yes"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, ETCDCTL_API="3")).returncode == 0
        if ok:
            return procs, endpoints
        time.sleep(0.2)
    raise RuntimeError("the etcd cluster did not come up")


def leader(endpoints):
    """The index in `endpoints` of the member that leads, or -1."""
    eps = endpoints.split(",")
    out = subprocess.run(
        ["etcdctl", f"--endpoints={endpoints}", "endpoint", "status",
         "--write-out=json"], stdout=subprocess.PIPE, text=True,
        stderr=subprocess.DEVNULL, env=dict(os.environ, ETCDCTL_API="3"))
    for status in json.loads(out.stdout or "[]"):
        st = status["Status"]
        if st["header"]["member_id"] == st["leader"]:
            return eps.index(status["Endpoint"])
    return -1


def cpu_of(procs):
    """user + system CPU seconds of the etcd members so far."""
    total = 0.0
    for p in procs:
        with open(f"/proc/{p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def failover(bench, evald, procs, endpoints, log):
    """Submissions at 8 in flight for 8 s; 3 s in, the etcd leader is
    killed with kill -9. Returns the load's result, whose max_gap_ms is the
    longest time no submission succeeded: how long writes stalled."""
    a = bench.args
    argv = [bench.bin["load"], f"--target={evald.address}", "--mode=submit",
            "--inflight=8", f"--projects={a.etcd_projects}", "--json",
            "--label=evald-etcd:failover", "--duration=8", "--warmup=0"]
    load = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    time.sleep(3)
    i = leader(endpoints)
    if i < 0:
        load.kill()
        load.wait()
        log("bench etcd      fail-over skipped: no leader found")
        return None
    procs[i].kill()
    procs[i].wait()
    out, _ = load.communicate()
    r = json.loads(out.strip().splitlines()[-1])
    r["killed_member"] = i
    r["system"] = "evald-etcd"
    bench.results["runs"].append(r)
    log(f"bench etcd      fail-over: the leader (member {i}) killed under 8 "
        f"in flight: writes stalled {r['max_gap_ms']:.0f} ms, "
        f"{r['calls']} submissions in 8 s, {r['errors']} refused "
        f"(UNAVAILABLE while no leader)")
    return r


def run(bench, pg_by_inflight, log, server_cls, free_port):
    """Runs the step; returns {inflight: result} of evald-on-etcd.

    server_cls and free_port are the harness's own (run_bench.py)."""
    a = bench.args
    if not os.access(ETCD, os.X_OK):
        log("bench etcd      skipped: /usr/bin/etcd is missing "
            "(scripts/install-deps.sh installs etcd-server)")
        return {}
    seed = os.path.join(bench.work, "etcd-seed")
    subprocess.run([bench.bin["seed"], f"--data_dir={seed}",
                    f"--projects={a.etcd_projects}",
                    f"--audit_events={a.etcd_projects * 20}", "--threads=2"],
                   stdout=subprocess.DEVNULL, check=True)
    procs, endpoints = start_cluster(bench.work, free_port)
    evald = None
    try:
        prefix = "/evald/bench/"
        t0 = time.perf_counter()
        out = subprocess.run(
            [bench.bin["evalutl"], "copy", f"--from=rocksdb:{seed}",
             f"--to=etcd:{endpoints}{prefix}"],
            stdout=subprocess.PIPE, text=True, check=True)
        copy_seconds = time.perf_counter() - t0
        bench.results["etcd_seed"] = {"projects": a.etcd_projects,
                                      "copy": out.stdout.strip(),
                                      "copy_seconds": copy_seconds}
        log(f"bench etcd      seed: {out.stdout.strip()} in "
            f"{copy_seconds:.0f} s (evalutl copy)")
        argv = [bench.bin["evald"], "--listen=127.0.0.1:0", "--store=etcd",
                f"--etcd_endpoints={endpoints}", f"--etcd_prefix={prefix}",
                f"--principals={bench.principals_file}", "--rate_limit_qps=0"]
        if a.workers:
            argv.append(f"--workers={a.workers}")
        evald = server_cls(argv, "evald listening on ", "evald-etcd",
                       os.path.join(bench.work, "evald-etcd.log"))
        results = {}
        for c in a.inflight:
            cpu0 = cpu_of(procs)
            e = bench.load(evald.address, "submit", c,
                           f"evald-etcd:submit:{c}", server_pid=evald.pid,
                           projects=a.etcd_projects)
            e["etcd_cpu_us_per_call"] = ((cpu_of(procs) - cpu0) * 1e6 /
                                         max(1, e["all_calls"]))
            results[c] = e
            p = pg_by_inflight.get(c)
            log(f"bench etcd      inflight={c:<3} evald-on-etcd "
                f"{e['qps']:7.0f}/s p50 {e['p50_ms']:6.2f} ms p99 "
                f"{e['p99_ms']:6.2f} ms"
                + f" | CPU µs/call evald {e.get('server_cpu_us_per_call', 0):.0f}"
                f" etcd {e['etcd_cpu_us_per_call']:.0f}"
                + (f" | etcd/pg {e['qps'] / p['qps']:.2f}" if p else ""))
        bench.results["etcd_failover"] = failover(bench, evald, procs,
                                                  endpoints, log)
        return results
    finally:
        if evald:
            evald.stop()
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(os.path.join(bench.work, "etcd"), ignore_errors=True)

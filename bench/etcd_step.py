"""The replicated store in `make bench` (#15, docs/deployment.md).

The same submit workload as evald-on-RocksDB and PostgreSQL, against evald
on a 3-member etcd cluster on this machine (Debian's etcd-server, default
heartbeat and election timeouts, each member fsyncing its own WAL), at the
same concurrencies. Its seed is small (--etcd-projects, copied from a
RocksDB seed with `evalutl copy`): the workload's cost is the commit, which
does not depend on how much is stored.
"""

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
            e = bench.load(evald.address, "submit", c,
                           f"evald-etcd:submit:{c}", server_pid=evald.pid,
                           projects=a.etcd_projects)
            results[c] = e
            p = pg_by_inflight.get(c)
            log(f"bench etcd      inflight={c:<3} evald-on-etcd "
                f"{e['qps']:7.0f}/s p50 {e['p50_ms']:6.2f} ms p99 "
                f"{e['p99_ms']:6.2f} ms"
                + (f" | etcd/pg {e['qps'] / p['qps']:.2f}" if p else ""))
        return results
    finally:
        if evald:
            evald.stop()
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(os.path.join(bench.work, "etcd"), ignore_errors=True)

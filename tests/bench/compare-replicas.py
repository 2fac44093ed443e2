#!/usr/bin/env python3
"""What a replica costs: two 2-silo Orleans.Cache clusters on loopback (Localhost clustering), one with Cache:Replicas=1 and
one with Cache:Replicas=0, and a real redis-server, measured alternately in one run with redis-benchmark against silo 0
of each cluster (random keys, 50 clients). Prints SET and INCR throughput, the ratio replicas-1 / replicas-0, and the
replication lag a client sees: while redis-benchmark runs, a probe connection sends SET then WAIT 1 0 in a loop on the
replicated cluster; WAIT returns once a replica acknowledged the SET, so its latency is the lag (p50/p99).

    python3 tests/bench/compare-replicas.py [--rounds 3] [--requests 200000]
"""
import argparse, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

from servers import ROOT, build_silo, free_port, start_silo, wait_for_ping
import importlib
bench_module = importlib.import_module("compare-redis")


def start_cluster(silo_dll, replicas, env, cwd, cluster_id, extra=()):
    """Two silos of one Localhost cluster: the second joins through the first. Returns ([procs], resp port of silo 0)."""
    resp = [free_port(), free_port()]
    primary_silo_port = free_port()
    common = ["--cluster-id", cluster_id, f"--Cache:Replicas={replicas}", "--Silo:PrimarySilo", f"127.0.0.1:{primary_silo_port}", *extra]
    procs = [start_silo(silo_dll, resp[0], common, env, cwd, silo_port=primary_silo_port)]
    wait_for_ping(resp[0], procs[0])
    procs.append(start_silo(silo_dll, resp[1], common, env, cwd))
    wait_for_ping(resp[1], procs[1])
    # Both silos see each other and every partition has its replica before anything is measured.
    deadline = time.time() + 60
    while replicas and time.time() < deadline:
        info = subprocess.run(["redis-cli", "-p", str(resp[0]), "INFO", "replication"], capture_output=True, text=True).stdout
        if "connected_slaves:1" in info:
            break
        subprocess.run(["redis-cli", "-p", str(resp[0]), "SET", "warm", "1"], capture_output=True)
        time.sleep(0.5)
    return procs, resp[0]


def command(*args):
    out = f"*{len(args)}\r\n"
    for a in args:
        out += f"${len(a.encode())}\r\n{a}\r\n"
    return out.encode()


def read_reply(sock, buf):
    while b"\r\n" not in buf[0]:
        buf[0] += sock.recv(65536)
    line, _, rest = buf[0].partition(b"\r\n")
    buf[0] = rest
    return line


def probe_lag(port, stop, samples):
    """SET then WAIT 1 0, again and again: the milliseconds WAIT took (the replica's acknowledgement of the SET)."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        buf = [b""]
        n = 0
        while not stop.is_set():
            s.sendall(command("SET", f"lag:{n % 1000}", str(n)))
            read_reply(s, buf)
            start = time.perf_counter()
            s.sendall(command("WAIT", "1", "0"))
            read_reply(s, buf)
            samples.append((time.perf_counter() - start) * 1000)
            n += 1
            time.sleep(0.002)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--silo-arg", action="append", default=[], help="extra argument for every silo, e.g. --silo-arg=--Cache:ReplicationBacklog=4096")
    args = ap.parse_args()
    for tool in ("redis-server", "redis-benchmark", "redis-cli", "dotnet"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found")
    silo_dll = build_silo(ROOT)
    data = tempfile.mkdtemp(prefix="orleans-cache-replicas-")
    env = dict(os.environ, DOTNET_TieredPGO="1", DOTNET_TC_CallCountingDelayMs="0", DOTNET_gcServer="1")
    procs = []
    try:
        redis_port = free_port()
        procs.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no", "--dir", data],
                                      stdout=subprocess.DEVNULL))
        wait_for_ping(redis_port, procs[-1])
        ports = {"redis": redis_port}
        for replicas in (1, 0):
            cluster, port = start_cluster(silo_dll, replicas, env, data, f"bench-replicas-{replicas}", args.silo_arg)
            procs += cluster
            ports[f"replicas={replicas}"] = port
        names = ["redis", "replicas=1", "replicas=0"]
        for name in names[1:]:
            for p in (16, 1):
                bench_module.bench(ports[name], "set,incr", 50000, p, True)  # warm-up
        results, lag = {}, {16: [], 1: []}
        for _ in range(args.rounds):
            for p in (16, 1):
                for name in names:
                    stop, samples = threading.Event(), []
                    probe = threading.Thread(target=probe_lag, args=(ports[name], stop, samples)) if name == "replicas=1" else None
                    if probe:
                        probe.start()
                    for test, value in bench_module.bench(ports[name], "set,incr", args.requests, p, True).items():
                        results.setdefault((name, p, test), []).append(value)
                    if probe:
                        stop.set()
                        probe.join()
                        lag[p] += samples
        print(f"redis-benchmark -c 50 -n {args.requests} -r 100000 against silo 0 of a 2-silo cluster, median of {args.rounds} rounds\n")
        print("| -P | command | Redis req/s | 1 replica req/s | 0 replicas req/s | 1 replica / 0 replicas | 1 replica / Redis | p99 ms (1 / 0 replicas) |")
        print("|---|---|---|---|---|---|---|---|")
        for p in (16, 1):
            for test in ("SET", "INCR"):
                cell = {n: (statistics.median(x[0] for x in results[(n, p, test)]), statistics.median(x[1] for x in results[(n, p, test)])) for n in names}
                r, one, zero = cell["redis"], cell["replicas=1"], cell["replicas=0"]
                print(f"| {p} | {test} | {r[0]:,.0f} | {one[0]:,.0f} | {zero[0]:,.0f} | **{one[0] / zero[0]:.2f}x** | {one[0] / r[0]:.2f}x | {one[1]:.2f} / {zero[1]:.2f} |")
        print("\nReplication lag seen by a client under that load (SET, then WAIT 1 0 timed):\n")
        print("| load -P | samples | p50 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|")
        for p in (16, 1):
            print(f"| {p} | {len(lag[p])} | {percentile(lag[p], 50):.2f} | {percentile(lag[p], 99):.2f} | {max(lag[p], default=float('nan')):.2f} |")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs the same redis-benchmark against a real redis-server and against an Orleans.Cache silo, alternating,
in one run, and prints a ratio table (Orleans.Cache / Redis) with p99 latencies.

    python3 tests/bench/compare-redis.py [--rounds 3] [--requests 200000] [--tests set,get,incr,mset]

Needs redis-server and redis-benchmark (Debian: apt-get install redis-server redis-tools) and the .NET SDK.
Each cell is the median of the rounds; "geomean" rows combine SET, GET and INCR."""
import argparse, csv, io, math, statistics, subprocess

from servers import side_by_side


def bench(port, tests, requests, pipeline, random_keys):
    cmd = ["redis-benchmark", "-p", str(port), "-c", "50", "-n", str(requests), "-t", tests, "-P", str(pipeline), "--csv"]
    if random_keys:
        cmd += ["-r", "100000"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = {}
    for row in csv.DictReader(io.StringIO(out)):
        rows[row["test"].split(" ")[0]] = (float(row["rps"]), float(row["p99_latency_ms"]))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--tests", default="set,get,incr,mset")
    ap.add_argument("--partitions", type=int, default=0, help="override Cache:Partitions")
    ap.add_argument("--silo-arg", action="append", default=[], help="extra silo argument, e.g. --silo-arg=--Cache:DirectLocalCalls=false")
    args = ap.parse_args()
    silo_args = (["--partitions", str(args.partitions)] if args.partitions else []) + args.silo_arg
    with side_by_side(("redis-server", "redis-benchmark", "redis-cli", "dotnet"), silo_args) as ports:
        redis_port, orleans_port = ports["redis"], ports["orleans"]
        # Warm-up (JIT, partition activation) before anything is measured.
        for p in (16, 1):
            bench(orleans_port, args.tests, 50000, p, True)

        shapes = [(p, rk) for rk in (False, True) for p in (16, 1)]
        results = {}  # (server, P, random, test) -> [(rps, p99)]
        for _ in range(args.rounds):
            for p, rk in shapes:
                for name in ("redis", "orleans"):
                    for test, value in bench(ports[name], args.tests, args.requests, p, rk).items():
                        results.setdefault((name, p, rk, test), []).append(value)

        tests = [t.upper() for t in args.tests.split(",")]
        print(f"redis-benchmark -c 50 -n {args.requests}, median of {args.rounds} rounds; ratio = Orleans.Cache / Redis requests/s\n")
        print("| keys | -P | command | Redis req/s | Orleans.Cache req/s | ratio | Redis p99 ms | Orleans.Cache p99 ms |")
        print("|---|---|---|---|---|---|---|---|")
        for p, rk in shapes:
            ratios = []
            for test in tests:
                r = results.get(("redis", p, rk, test))
                o = results.get(("orleans", p, rk, test))
                if not r or not o:
                    continue
                r_rps, r_p99 = statistics.median(x[0] for x in r), statistics.median(x[1] for x in r)
                o_rps, o_p99 = statistics.median(x[0] for x in o), statistics.median(x[1] for x in o)
                ratio = o_rps / r_rps
                if test in ("SET", "GET", "INCR"):
                    ratios.append(ratio)
                print(f"| {'random' if rk else 'single'} | {p} | {test} | {r_rps:,.0f} | {o_rps:,.0f} | {ratio:.2f}x | {r_p99:.2f} | {o_p99:.2f} |")
            if ratios:
                geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
                print(f"| {'random' if rk else 'single'} | {p} | **geomean SET/GET/INCR** | | | **{geo:.2f}x** | | |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs the same redis-benchmark against a real redis-server and against an Orleans.Cache silo, alternating,
in one run, and prints a ratio table (Orleans.Cache / Redis) with p99 latencies.

    python3 tests/bench/compare-redis.py [--rounds 3] [--requests 200000] [--tests set,get,incr,mset] [--baseline main]

With --baseline REV the silo of that git revision is built in a temporary worktree and measured in the same run,
alternating with the others, so a change's ratios can be compared with its base's under the same machine load.

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


def median(cells, server, p, rk, test):
    values = cells.get((server, p, rk, test))
    if not values:
        return None
    return statistics.median(x[0] for x in values), statistics.median(x[1] for x in values)


def geomean(values):
    return math.exp(sum(math.log(x) for x in values) / len(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--tests", default="set,get,incr,mset")
    ap.add_argument("--partitions", type=int, default=0, help="override Cache:Partitions")
    ap.add_argument("--silo-arg", action="append", default=[], help="extra silo argument, e.g. --silo-arg=--Cache:DirectLocalCalls=false")
    ap.add_argument("--baseline", help="also run the silo of this git revision (e.g. main) in the same run, for a no-regression check")
    args = ap.parse_args()
    silo_args = (["--partitions", str(args.partitions)] if args.partitions else []) + args.silo_arg
    silos = ["orleans"] + (["baseline"] if args.baseline else [])
    with side_by_side(("redis-server", "redis-benchmark", "redis-cli", "dotnet"), silo_args, baseline=args.baseline) as ports:
        # Warm-up (JIT, partition activation) before anything is measured.
        for silo in silos:
            for p in (16, 1):
                bench(ports[silo], args.tests, 50000, p, True)

        shapes = [(p, rk) for rk in (False, True) for p in (16, 1)]
        results = {}  # (server, P, random, test) -> [(rps, p99)]
        for _ in range(args.rounds):
            for p, rk in shapes:
                for name in ["redis", *silos]:
                    for test, value in bench(ports[name], args.tests, args.requests, p, rk).items():
                        results.setdefault((name, p, rk, test), []).append(value)

    tests = [t.upper() for t in args.tests.split(",")]
    print(f"redis-benchmark -c 50 -n {args.requests}, median of {args.rounds} rounds; ratio = Orleans.Cache / Redis requests/s\n")
    base = f" | {args.baseline} req/s | {args.baseline} ratio" if args.baseline else ""
    print(f"| keys | -P | command | Redis req/s | Orleans.Cache req/s | ratio{base} | Redis p99 ms | Orleans.Cache p99 ms |")
    print("|---|---|---|---|---|---" + ("|---|---" if args.baseline else "") + "|---|---|")
    for p, rk in shapes:
        keys = "random" if rk else "single"
        ratios = {silo: [] for silo in silos}
        for test in tests:
            r = median(results, "redis", p, rk, test)
            cells = {silo: median(results, silo, p, rk, test) for silo in silos}
            if not r or not all(cells.values()):
                continue
            for silo in silos:
                if test in ("SET", "GET", "INCR"):
                    ratios[silo].append(cells[silo][0] / r[0])
            o = cells["orleans"]
            b = cells.get("baseline")
            base = f" | {b[0]:,.0f} | {b[0] / r[0]:.2f}x" if b else ""
            print(f"| {keys} | {p} | {test} | {r[0]:,.0f} | {o[0]:,.0f} | {o[0] / r[0]:.2f}x{base} | {r[1]:.2f} | {o[1]:.2f} |")
        if ratios["orleans"]:
            base = f" | | **{geomean(ratios['baseline']):.2f}x**" if args.baseline else ""
            print(f"| {keys} | {p} | **geomean SET/GET/INCR** | | | **{geomean(ratios['orleans']):.2f}x**{base} | | |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Scripts and transactions, Orleans.Cache against a real redis-server, in one run, with a ratio table
(Orleans.Cache / Redis) and p99 latencies:

  - EVALSHA of a one-redis.call script (return redis.call('INCR', KEYS[1])), SCRIPT LOADed on both servers first,
    by redis-benchmark's custom-command mode over random keys;
  - MULTI; INCR {k}:a; SET {k}:b v; GET {k}:b; EXEC pipelined, by the resp-tx mode of tests/Orleans.Cache.Benchmarks
    (redis-benchmark cannot send a transaction); one row counts transactions (EXECs);
  - SET/GET/INCR over random keys at -P16 and -P1, the no-regression reference measured in the same run.

    python3 tests/bench/compare-scripts.py [--rounds 3] [--requests 200000] [--seconds 10] [--clients 50] [--baseline REV]

With --baseline REV the silo of that git revision (built in a temporary worktree) is measured in the same run, after
Redis and this silo in every round, and gets its own columns.

A server that answers a shape with errors (Orleans.Cache before it has scripts or transactions) gets "errors" and the
error text in its cell instead of a number; the other rows are still measured."""
import argparse, csv, io, json, math, os, statistics, subprocess

from servers import ROOT, side_by_side

SCRIPT = "return redis.call('INCR', KEYS[1])"
BENCH_DLL = os.path.join(ROOT, "tests/Orleans.Cache.Benchmarks/bin/Release/net10.0/Orleans.Cache.Benchmarks.dll")


class ServerError(Exception):
    """The server answered a shape with an error reply: the cell shows the text."""


def redis_cli(port, *args):
    r = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=30)
    out = r.stdout.strip()
    # redis-cli prints error replies as "(error) ..." on a terminal and as the bare text otherwise: both start with
    # an upper-case error code, which no reply used here does.
    if r.returncode != 0 or out.startswith("(error)") or out.split(" ")[0].isupper():
        raise ServerError(out.removeprefix("(error) ") or r.stderr.strip())
    return out


def benchmark(port, args, requests, pipeline):
    """redis-benchmark -c 50 over random keys; {test name: (rps, p99 ms)}."""
    cmd = ["redis-benchmark", "-p", str(port), "-c", "50", "-n", str(requests), "-r", "100000", "-P", str(pipeline), "--csv", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise ServerError(r.stderr.strip() or r.stdout.strip())
    rows = {}
    for row in csv.DictReader(io.StringIO(r.stdout)):
        rows[row["test"].split(" ")[0]] = (float(row["rps"]), float(row["p99_latency_ms"]))
    return rows


def evalsha(port, sha, requests, pipeline):
    # One call first: redis-benchmark reports an error reply only on stderr and would measure errors per second.
    # Its own keys (script:…): the SET rows write "xxx" under key:…, which INCR refuses.
    redis_cli(port, "EVALSHA", sha, "1", "compare-scripts:probe")
    return benchmark(port, ["EVALSHA", sha, "1", "script:__rand_int__"], requests, pipeline)["EVALSHA"]


def transactions(port, clients, seconds):
    r = subprocess.run(["dotnet", BENCH_DLL, "resp-tx", "--port", str(port), "--clients", str(clients), "--seconds", str(seconds)],
                       capture_output=True, text=True, timeout=seconds + 120)
    if r.returncode != 0:
        raise ServerError((r.stderr.strip() or r.stdout.strip()).splitlines()[0])
    result = json.loads(r.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise ServerError(f"{result['errors']} error replies, first: {result['first_error']}")
    return result["rps"], result["p99_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000, help="requests per redis-benchmark run")
    ap.add_argument("--seconds", type=float, default=10, help="length of one resp-tx run")
    ap.add_argument("--clients", type=int, default=50, help="resp-tx connections")
    ap.add_argument("--silo-arg", action="append", default=[], help="extra silo argument")
    ap.add_argument("--baseline", help="also run the silo of this git revision in the same run (a no-regression check)")
    args = ap.parse_args()
    silos = ["orleans"] + (["baseline"] if args.baseline else [])

    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(ROOT, "tests/Orleans.Cache.Benchmarks")],
                   check=True, stdout=subprocess.DEVNULL)
    with side_by_side(("redis-server", "redis-benchmark", "redis-cli", "dotnet"), args.silo_arg, baseline=args.baseline) as ports:
        sha = {}
        for name, port in ports.items():
            try:
                sha[name] = redis_cli(port, "SCRIPT", "LOAD", SCRIPT)
            except ServerError as e:
                sha[name] = e
        shapes = [("EVALSHA", 16), ("EVALSHA", 1), ("MULTI/EXEC", 1)] + [(t, p) for p in (16, 1) for t in ("SET", "GET", "INCR")]

        def measure(name, shape, pipeline, requests, seconds):
            port = ports[name]
            if shape == "EVALSHA":
                if isinstance(sha[name], ServerError):
                    raise ServerError(f"SCRIPT LOAD: {sha[name]}")
                return evalsha(port, sha[name], requests, pipeline)
            if shape == "MULTI/EXEC":
                return transactions(port, args.clients, seconds)
            return benchmark(port, ["-t", shape.lower()], requests, pipeline)[shape]

        # Warm-up of the silo (JIT and tiering, partition activation, thread-pool and GC heap growth) before anything is
        # measured, half a run per shape: the first measured shape ran 15-20% slower after a 20,000-request warm-up.
        for name in silos:
            for shape, pipeline in shapes:
                try:
                    measure(name, shape, pipeline, args.requests // 2, 2)
                except ServerError:
                    pass

        results = {}  # (server, shape, P) -> [(rps, p99)] or ServerError
        for _ in range(args.rounds):
            for shape, pipeline in shapes:
                for name in ["redis", *silos]:
                    key = (name, shape, pipeline)
                    if isinstance(results.get(key), ServerError):
                        continue
                    try:
                        results.setdefault(key, []).append(measure(name, shape, pipeline, args.requests, args.seconds))
                    except ServerError as e:
                        results[key] = e

        print(f"-c 50 random keys, median of {args.rounds} rounds; ratio = Orleans.Cache / Redis per second"
              f" (MULTI/EXEC: transactions/s, {args.clients} clients, {args.seconds:g} s)\n")
        base = f" {args.baseline} /s | {args.baseline} ratio |" if args.baseline else ""
        print(f"| shape | -P | Redis /s | Orleans.Cache /s | ratio |{base} Redis p99 ms | Orleans.Cache p99 ms |")
        print("|---|---|---|---|---|" + ("---|---|" if args.baseline else "") + "---|---|")
        ratios = {}
        for shape, pipeline in shapes:
            cells = {}
            for name in ["redis", *silos]:
                v = results.get((name, shape, pipeline))
                cells[name] = v if isinstance(v, ServerError) or not v else (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
            r = cells["redis"]
            def rate(c): return f"errors: {c}" if isinstance(c, ServerError) else f"{c[0]:,.0f}"
            def p99(c): return "" if isinstance(c, ServerError) else f"{c[1]:.2f}"
            cols = []
            for name in silos:
                o = cells[name]
                ratio = ""
                if not isinstance(r, ServerError) and not isinstance(o, ServerError):
                    ratio = f"{o[0] / r[0]:.2f}x"
                    if shape in ("SET", "GET", "INCR"):
                        ratios.setdefault((name, pipeline), []).append(o[0] / r[0])
                cols += [rate(o), ratio]
            print("| " + " | ".join([shape, str(pipeline), rate(r), *cols, p99(r), p99(cells["orleans"])]) + " |")
        for pipeline in sorted({p for _, p in ratios}, reverse=True):
            cols = []
            for name in silos:
                values = ratios.get((name, pipeline), [])
                cols += ["", f"**{math.exp(sum(map(math.log, values)) / len(values)):.2f}x**" if values else ""]
            print("| " + " | ".join(["**geomean SET/GET/INCR**", str(pipeline), "", *cols, "", ""]) + " |")

if __name__ == "__main__":
    main()

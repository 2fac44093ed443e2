#!/usr/bin/env python3
"""How a real redis-server's sorted-set operations scale from 1,000 to 1,000,000 members, measured inside the
server (a Lua loop timed with TIME, so no network in the numbers), for comparison with the Core benchmark
(`dotnet run -c Release --project tests/Orleans.Cache.Benchmarks -- core --filter '*SortedSet*'`).

    python3 tests/bench/redis-zset-scaling.py [--calls 1000000] [--rounds 3]

Each call picks a random member "player:<n>" and calls the command through redis.call. The loop without a command
(the Lua overhead: random number, string concatenation) is measured too and subtracted, so a cell is the
command's own cost in Redis. Needs redis-server and redis-cli (Debian: apt-get install redis-server redis-tools)."""
import argparse, os, statistics, subprocess, tempfile

from servers import free_port, wait_for_ping

FILL = """
local n = tonumber(ARGV[1])
math.randomseed(7)
for s = 0, n - 1, 1000 do
  local args = {}
  for i = s, math.min(s + 999, n - 1) do
    args[#args + 1] = math.random(0, 999999); args[#args + 1] = 'player:' .. i
  end
  redis.call('ZADD', KEYS[1], unpack(args))
end
return redis.call('ZCARD', KEYS[1])
"""

LOOP = """
local n, calls, cmd = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t0 = redis.call('TIME')
for i = 1, calls do
  local m = 'player:' .. math.random(0, n - 1)
  if cmd == 'ZSCORE' then redis.call('ZSCORE', KEYS[1], m)
  elseif cmd == 'ZADD' then redis.call('ZADD', KEYS[1], math.random(0, 999999), m)
  elseif cmd == 'ZRANK' then redis.call('ZRANK', KEYS[1], m)
  elseif cmd == 'ZRANGE10' then local r = math.random(0, n - 11); redis.call('ZRANGE', KEYS[1], r, r + 9)
  elseif cmd == 'ZINCRBY' then redis.call('ZINCRBY', KEYS[1], 1, m)
  end
end
local t1 = redis.call('TIME')
return (t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2])
"""

COMMANDS = ["ZSCORE", "ZADD", "ZRANK", "ZRANGE10", "ZINCRBY"]
SIZES = [1000, 1000000]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="redis-zset-") as data:
        server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                                   "--dir", data, "--busy-reply-threshold", "0"], stdout=subprocess.DEVNULL)
        try:
            wait_for_ping(port, server)

            def cli(*argv):
                out = subprocess.run(["redis-cli", "-p", str(port), *argv], capture_output=True, text=True, check=True)
                return out.stdout.strip()

            def run(script, key, *script_args):
                return int(cli("EVAL", script, "1", key, *map(str, script_args)))

            version = cli("INFO", "server").split("redis_version:")[1].split()[0]
            for n in SIZES:
                run(FILL, f"z{n}", n)
            # Median of the rounds, microseconds per call; "NONE" is the loop alone.
            per_call = {}
            for n in SIZES:
                for cmd in ["NONE"] + COMMANDS:
                    rounds = [run(LOOP, f"z{n}", n, args.calls, cmd) / args.calls for _ in range(args.rounds)]
                    per_call[(cmd, n)] = statistics.median(rounds)
        finally:
            server.terminate()
            server.wait()

    print(f"redis-server {version}, {args.calls:,} calls per cell inside one EVAL, median of {args.rounds} rounds, "
          f"Lua loop overhead subtracted ({per_call[('NONE', SIZES[0])]:.2f} / {per_call[('NONE', SIZES[1])]:.2f} µs)\n")
    print("| operation | 1,000 members | 1,000,000 members | 1M ÷ 1k |")
    print("|---|---|---|---|")
    for cmd in COMMANDS:
        small = per_call[(cmd, SIZES[0])] - per_call[("NONE", SIZES[0])]
        large = per_call[(cmd, SIZES[1])] - per_call[("NONE", SIZES[1])]
        print(f"| {cmd} | {small:.2f} µs | {large:.2f} µs | {large / small:.1f}× |")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()

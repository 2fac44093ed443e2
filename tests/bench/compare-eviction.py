#!/usr/bin/env python3
"""Cache efficiency beside redis-server in one run: the same maxmemory and policy (allkeys-lru, then allkeys-lfu) on
a real redis-server and an Orleans.Cache silo, and a Zipfian cache-aside workload (GET; on a miss SET the value) over
a keyspace about 4x what fits. Prints per server and policy: the hit ratio, used_memory, RSS, maxmemory, evicted
keys and throughput.

    python3 tests/bench/compare-eviction.py [--maxmemory 64mb] [--value-size 100] [--requests 2000000] [--alpha 0.99]
                                            [--policies allkeys-lru,allkeys-lfu] [--fit-factor 4]

"What fits" is maxmemory / (value size + 60 bytes), about what redis-server 7 spends on a small string key; the
keyspace is --fit-factor times that. Each policy starts from FLUSHALL, runs --requests GETs to warm the cache (not
counted), then --requests more that are measured. The client is plain Python on --connections sockets, each sending
pipelined batches of --batch GETs and then the SETs for that batch's misses, so throughput is the client's as much
as the server's: compare the servers with each other, not with redis-benchmark.

Needs redis-server and redis-cli (Debian: apt-get install redis-server redis-tools) and the .NET SDK."""
import argparse, bisect, itertools, random, re, socket, threading, time

from servers import side_by_side


class Resp:
    """A minimal RESP2 client: pipelined commands, replies parsed just enough for GET, SET and INFO."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        return rest

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))
        return [self.reply() for _ in commands]

    def call(self, *args):
        return self.pipeline([args])[0]

    def info(self, section):
        text = self.call("INFO", section).decode()
        return dict(re.findall(r"^([a-z_]+):(.*?)\r?$", text, re.M))


class Zipf:
    """Ranks 0..n-1 with P(k) proportional to 1/(k+1)^alpha, by inverse CDF; the ranks are shuffled onto key ids so
    that hot keys are spread over the hash slots (and so over the silo's partitions)."""

    def __init__(self, n, alpha):
        self.cumulative = list(itertools.accumulate(1.0 / (k + 1) ** alpha for k in range(n)))
        self.ids = list(range(n))
        random.Random(0).shuffle(self.ids)

    def sampler(self, seed):
        rng, cumulative, ids, total = random.Random(seed), self.cumulative, self.ids, self.cumulative[-1]
        return lambda: ids[bisect.bisect_left(cumulative, rng.random() * total)]


def run_workload(port, zipf, value, requests, connections, batch, seed):
    """Cache-aside on `connections` threads; returns (hits, gets, sets, seconds, errors)."""
    per_thread = requests // connections
    totals = {"hits": 0, "gets": 0, "sets": 0, "errors": 0}
    lock = threading.Lock()

    def worker(index):
        client = Resp(port)
        next_key = zipf.sampler(seed * 1000 + index)
        hits = gets = sets = errors = 0
        done = 0
        while done < per_thread:
            n = min(batch, per_thread - done)
            names = [b"key:%d" % next_key() for _ in range(n)]
            replies = client.pipeline([(b"GET", k) for k in names])
            gets += n
            misses = [k for k, r in zip(names, replies) if r is None]
            hits += n - len(misses)
            if misses:
                client.sock.sendall(b"".join(client.encode(b"SET", k, value) for k in misses))
                for _ in misses:
                    try:
                        client.reply()
                    except RuntimeError:
                        errors += 1  # OOM: the server could not make room
                sets += len(misses)
            done += n
        client.sock.close()
        with lock:
            totals["hits"] += hits
            totals["gets"] += gets
            totals["sets"] += sets
            totals["errors"] += errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals["hits"], totals["gets"], totals["sets"], time.perf_counter() - started, totals["errors"]


def parse_memory(text):
    m = re.fullmatch(r"(\d+)(b|kb|mb|gb)?", text.lower())
    if not m:
        raise SystemExit(f"bad --maxmemory {text}")
    return int(m.group(1)) * {None: 1, "b": 1, "kb": 1024, "mb": 1 << 20, "gb": 1 << 30}[m.group(2)]


def mb(n):
    return f"{int(n) / (1 << 20):7.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--maxmemory", default="64mb")
    ap.add_argument("--value-size", type=int, default=100)
    ap.add_argument("--fit-factor", type=float, default=4.0, help="keyspace size as a multiple of what fits")
    ap.add_argument("--requests", type=int, default=2_000_000, help="GETs per phase (warm-up, then measured)")
    ap.add_argument("--alpha", type=float, default=0.99, help="Zipf exponent")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--batch", type=int, default=64, help="GETs pipelined per round trip")
    ap.add_argument("--policies", default="allkeys-lru,allkeys-lfu")
    ap.add_argument("--silo-arg", action="append", default=[], help="extra silo argument")
    args = ap.parse_args()
    maxmemory = parse_memory(args.maxmemory)
    keys = int(args.fit_factor * maxmemory / (args.value_size + 60))
    value = b"v" * args.value_size
    print(f"maxmemory {args.maxmemory} ({maxmemory} bytes), {args.value_size}-byte values, {keys} keys (~{args.fit_factor:g}x what fits), "
          f"Zipf alpha {args.alpha}, {args.requests} GETs warm-up + {args.requests} measured, "
          f"{args.connections} connections x {args.batch} pipelined", flush=True)
    zipf = Zipf(keys, args.alpha)
    rows = []
    with side_by_side(("redis-server", "redis-cli", "dotnet"), args.silo_arg, prefix="orleans-cache-eviction-") as ports:
        for policy in args.policies.split(","):
            for name in ("redis", "orleans"):
                admin = Resp(ports[name])
                admin.call("CONFIG", "SET", "maxmemory", "0")
                admin.call("FLUSHALL")
                admin.call("CONFIG", "SET", "maxmemory", str(maxmemory), "maxmemory-policy", policy)
                admin.call("CONFIG", "RESETSTAT")
                run_workload(ports[name], zipf, value, args.requests, args.connections, args.batch, seed=1)
                admin.call("CONFIG", "RESETSTAT")
                hits, gets, sets, seconds, errors = run_workload(ports[name], zipf, value, args.requests, args.connections,
                                                                 args.batch, seed=2)
                memory, stats = admin.info("memory"), admin.info("stats")
                dbsize = admin.call("DBSIZE")
                rows.append((policy, name, hits / gets, int(memory["used_memory"]), int(memory["used_memory_rss"]),
                             int(memory.get("used_memory_peak", 0)), dbsize, int(stats.get("evicted_keys", 0)),
                             (gets + sets) / seconds, errors))
                admin.call("CONFIG", "SET", "maxmemory", "0")
                admin.call("FLUSHALL")
                print(f"  {policy:12} {name:8} done", flush=True)

    print()
    print(f"{'policy':12} {'server':8} {'hit ratio':>9} {'used MB':>8} {'RSS MB':>8} {'peak MB':>8} {'keys':>8} "
          f"{'evicted':>9} {'ops/s':>9} {'OOM':>5}")
    for policy, name, ratio, used, rss, peak, dbsize, evicted, ops, errors in rows:
        print(f"{policy:12} {name:8} {ratio * 100:8.2f}% {mb(used):>8} {mb(rss):>8} {mb(peak):>8} {dbsize:8d} "
              f"{evicted:9d} {ops:9.0f} {errors:5d}")
    for policy in args.policies.split(","):
        r = {name: row for row in rows if row[0] == policy for name in [row[1]]}
        if "redis" in r and "orleans" in r:
            diff = (r["orleans"][2] - r["redis"][2]) * 100
            print(f"{policy}: hit ratio Orleans.Cache - Redis = {diff:+.2f} points; "
                  f"RSS - maxmemory: Redis {mb(r['redis'][4] - maxmemory).strip()} MB, Orleans.Cache {mb(r['orleans'][4] - maxmemory).strip()} MB")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Memory per key beside redis-server, in one run: a fresh server's RSS, then the bytes each key or member costs.

    python3 tests/bench/compare-memory.py [--keys 1000000] [--value-size 10] [--members 1000000] [--baseline REV]

Shapes, each loaded into an empty server (FLUSHALL between them) with pipelined commands:
  - strings: --keys SET key:<n> <value of --value-size bytes>;
  - hash / set / sorted set: one key holding --members fields (HSET), members (SADD) or members with scores (ZADD),
    sent in batches of 100 per command;
  - small hashes: --keys / 10 keys of 10 fields each (Redis keeps these as listpacks).
For each shape it prints the growth of INFO used_memory and of the process's RSS (VmRSS from /proc, after MEMORY PURGE
on both servers, which asks the allocator to return free pages: jemalloc's purge, the .NET GC's compacting
collection) divided by the number of keys or members. The idle row is each server's RSS right after it answered its
first PING. With --baseline REV the silo of that git revision is measured too, in its own column.

Memory is not CPU-bound: the numbers hold on a loaded machine, unlike the throughput scripts'."""
import argparse, os, socket, subprocess, time

from servers import side_by_side


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def _reply(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        kind = line[:1]
        if kind == b"-":
            raise RuntimeError(line.decode())
        if kind == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            return [self._reply() for _ in range(int(line[1:]))]
        return line[1:]

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self._reply()

    def pipeline(self, commands, window=2000):
        """Sends the commands in windows of `window`, reading every reply (errors raise)."""
        batch = []
        for c in commands:
            batch.append(encode(*c))
            if len(batch) == window:
                self._send(batch)
                batch = []
        if batch:
            self._send(batch)

    def _send(self, batch):
        self.sock.sendall(b"".join(batch))
        for _ in batch:
            self._reply()


def pid_of(port):
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    return int(out.split("pid=")[1].split(",")[0])


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def used_memory(conn):
    info = conn.call("INFO", "memory").decode()
    return int(info.split("used_memory:")[1].split("\r\n")[0])


def settle(conn):
    conn.call("MEMORY", "PURGE")
    time.sleep(1)


def shapes(keys, members, value):
    batch = 100
    yield "strings", keys, lambda: (("SET", f"key:{i}", value) for i in range(keys))
    yield "hash (one key)", members, lambda: (
        ["HSET", "big:hash"] + [x for j in range(i, min(i + batch, members)) for x in (f"field:{j}", value)] for i in range(0, members, batch))
    yield "set (one key)", members, lambda: (
        ["SADD", "big:set"] + [f"member:{j}" for j in range(i, min(i + batch, members))] for i in range(0, members, batch))
    yield "sorted set (one key)", members, lambda: (
        ["ZADD", "big:zset"] + [x for j in range(i, min(i + batch, members)) for x in (j, f"member:{j}")] for i in range(0, members, batch))
    small = keys // 10
    yield "small hashes (10 fields)", small, lambda: (
        ["HSET", f"h:{i}"] + [x for j in range(10) for x in (f"f{j}", value)] for i in range(small))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--value-size", type=int, default=10)
    ap.add_argument("--baseline")
    a = ap.parse_args()
    value = b"v" * a.value_size
    with side_by_side(["redis-server", "redis-cli"], baseline=a.baseline, prefix="orleans-cache-memory-") as ports:
        names = list(ports)
        pids = {n: pid_of(ports[n]) for n in names}
        conns = {n: Conn(ports[n]) for n in names}
        idle = {n: rss(pids[n]) for n in names}
        rows = [("idle RSS (MB)", {n: f"{idle[n] / 1e6:.0f}" for n in names}, {n: "" for n in names})]
        for title, count, commands in shapes(a.keys, a.members, value):
            used, resident = {}, {}
            for n in names:
                c = conns[n]
                c.call("FLUSHALL")
                settle(c)
                u0, r0 = used_memory(c), rss(pids[n])
                c.pipeline(commands())
                settle(c)
                used[n] = f"{(used_memory(c) - u0) / count:.0f}"
                resident[n] = f"{(rss(pids[n]) - r0) / count:.0f}"
            rows.append((f"{title}: B per item, used_memory / RSS", used, resident))
            print(title, {n: (used[n], resident[n]) for n in names}, flush=True)
        print()
        print("| shape | " + " | ".join(names) + " |")
        print("|---|" + "---|" * len(names))
        for title, used, resident in rows:
            cells = [used[n] if not resident[n] else f"{used[n]} / {resident[n]}" for n in names]
            print(f"| {title} | " + " | ".join(cells) + " |")
        ratio = {n: int(rows[1][1][n]) / int(rows[1][1]["redis"]) for n in names}
        print("\nstrings used_memory per key, ratio to Redis: " + ", ".join(f"{n} {ratio[n]:.2f}x" for n in names))


if __name__ == "__main__":
    main()

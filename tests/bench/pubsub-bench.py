#!/usr/bin/env python3
"""Pub/Sub throughput and delivery latency, Orleans.Cache beside a real redis-server in one run.

    python3 tests/bench/pubsub-bench.py [--messages 20000] [--subscribers 1,100] [--window 50]

One publisher sends PUBLISH in pipelined windows (--window commands, then their replies); every subscriber is a
raw RESP2 socket. Each payload carries its send time, so each delivery's latency is measured at the subscriber.
Reports messages/s (published messages whose last delivery arrived, per second), deliveries/s and p50/p99
latency. The load generator is one Python process; with 100 subscribers it is part of what is measured, for
both servers alike. Needs redis-server, redis-cli and the .NET SDK."""
import argparse, asyncio, re, statistics, subprocess, time

from servers import side_by_side

STAMP = re.compile(rb"T(\d{19})")


async def subscriber(port, channel, expected, latencies, ready, done):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"SUBSCRIBE {channel}\r\n".encode())
    await writer.drain()
    buf = b""
    while b":1\r\n" not in buf:
        buf += await reader.read(4096)
    ready.set_result(True) if not ready.done() else None
    buf = b""
    got = 0
    while got < expected:
        chunk = await reader.read(1 << 16)
        if not chunk:
            break
        now = time.perf_counter_ns()
        buf += chunk
        cut = buf.rfind(b"\r\n")
        if cut < 0:
            continue
        for m in STAMP.finditer(buf, 0, cut):
            latencies.append((now - int(m.group(1))) / 1e6)
            got += 1
        buf = buf[cut + 2:]
    done.append(time.perf_counter())
    writer.close()


async def run_case(port, subs, messages, window):
    channel = f"bench:{subs}:{time.time_ns()}"
    latencies, done = [], []
    loop = asyncio.get_running_loop()
    readies = [loop.create_future() for _ in range(subs)]
    tasks = [asyncio.create_task(subscriber(port, channel, messages, latencies, readies[i], done)) for i in range(subs)]
    await asyncio.wait_for(asyncio.gather(*readies), 60)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # Every silo must see all subscriptions before timing starts: wait until PUBLISH counts all of them.
    while True:
        writer.write(f"PUBLISH {channel}:probe x\r\nPUBSUB NUMSUB {channel}\r\n".encode())
        await writer.drain()
        data = b""
        while data.count(b"\r\n") < 5:
            data += await reader.read(4096)
        if data.endswith(f":{subs}\r\n".encode()):
            break
        await asyncio.sleep(0.05)
    start = time.perf_counter()
    counted = 0
    sent = 0
    while sent < messages:
        n = min(window, messages - sent)
        out = bytearray()
        for _ in range(n):
            payload = b"T%019d" % time.perf_counter_ns() + b"x" * 12
            out += b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(channel), channel.encode(), len(payload), payload)
        writer.write(bytes(out))
        await writer.drain()
        data = b""
        while data.count(b"\r\n") < n:
            data += await reader.read(1 << 16)
        counted += sum(int(x) for x in re.findall(rb":(\d+)\r\n", data))
        sent += n
    await asyncio.wait_for(asyncio.gather(*tasks), 300)
    elapsed = max(done) - start
    writer.close()
    latencies.sort()
    return {
        "msgs_per_s": messages / elapsed,
        "deliveries_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "counted_ok": counted == messages * subs,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--subscribers", default="1,100")
    ap.add_argument("--window", type=int, default=50)
    args = ap.parse_args()
    with side_by_side(("redis-server", "redis-cli", "dotnet"), prefix="orleans-cache-pubsub-bench-") as ports:
        redis_port, orleans_port = ports["redis"], ports["orleans"]
        asyncio.run(run_case(orleans_port, 1, 2000, args.window))  # warm-up (JIT, grain activation)
        print(f"messages={args.messages} window={args.window} payload=32B (redis-server {redis_version(redis_port)}, 1 silo)")
        print(f"{'subscribers':>11} {'server':>8} {'msgs/s':>10} {'deliveries/s':>13} {'p50 ms':>8} {'p99 ms':>8} {'counts':>7}")
        for subs in [int(s) for s in args.subscribers.split(",")]:
            n = args.messages if subs == 1 else max(1000, args.messages // 10)
            rows = {}
            for name in ("redis", "orleans"):
                rows[name] = r = asyncio.run(run_case(ports[name], subs, n, args.window))
                print(f"{subs:>11} {name:>8} {r['msgs_per_s']:>10.0f} {r['deliveries_per_s']:>13.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
                      f"{'exact' if r['counted_ok'] else 'WRONG':>7}")
            print(f"{subs:>11} {'ratio':>8} {rows['orleans']['msgs_per_s'] / rows['redis']['msgs_per_s']:>10.2f}x")


def redis_version(port):
    out = subprocess.run(["redis-cli", "-p", str(port), "INFO", "server"], capture_output=True, text=True).stdout
    m = re.search(r"redis_version:(\S+)", out)
    return m.group(1) if m else "?"


if __name__ == "__main__":
    main()

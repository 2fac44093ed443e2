#!/usr/bin/env python3
"""Generates src/Orleans.Cache.Resp/Commands/CommandDocs.json, the data COMMAND DOCS answers from.

Redis's command metadata (summary, since, group, complexity, history, doc flags, argument specs) is taken from a real
redis-server (7.0.15 from Debian here): the script starts one on a free loopback port, asks it `COMMAND DOCS` over RESP3,
checks that the JSON it writes re-encodes to exactly the bytes the server sent, and adds the entries of
command-docs-newer.json beside this script (commands newer than that server: hash field expiration, HGETDEL/HGETEX/HSETEX,
DIGEST, DELEX, written from redis.io's command pages in the same shape). Run it again after installing a newer
redis-server or editing that file:

    python3 tests/bench/command-docs.py            # or --port N to read from a redis-server already running
"""
import argparse, json, os, socket, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servers import ROOT, free_port, wait_for_ping  # noqa: E402

OUT = os.path.join(ROOT, "src/Orleans.Cache.Resp/Commands/CommandDocs.json")
NEWER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "command-docs-newer.json")


class Reader:
    def __init__(self, sock):
        self.sock, self.buf, self.pos = sock, b"", 0

    def _fill(self, n):
        while len(self.buf) - self.pos < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk

    def line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                text = self.buf[self.pos:end]
                self.pos = end + 2
                return text
            self._fill(len(self.buf) - self.pos + 1)

    def read(self):
        """One RESP3 value as (type, payload): '+', '$', ':' carry text or int, '*', '~', '%' carry lists."""
        head = self.line()
        kind, rest = chr(head[0]), head[1:]
        if kind in "+-":
            return (kind, rest.decode())
        if kind == ":":
            return (kind, int(rest))
        if kind in "$=":
            n = int(rest)
            self._fill(n + 2)
            data = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return ("$", data.decode())
        if kind in "*~":
            return (kind, [self.read() for _ in range(int(rest))])
        if kind == "%":
            return (kind, [(self.read(), self.read()) for _ in range(int(rest))])
        raise ValueError(f"unexpected RESP type {head!r}")


def call(sock, reader, *args):
    out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args)
    sock.sendall(out)
    start = reader.pos
    value = reader.read()
    return value, reader.buf[start:reader.pos]


def to_json(value, key=None):
    """The compact form: maps become objects, bulk strings strings, integers numbers; sets of flags and history lists."""
    kind, payload = value
    if kind == "%":
        return {k[1]: to_json(v, k[1]) for k, v in payload}
    if kind in "*~":
        return [to_json(v, key) for v in payload]
    return payload


def to_resp(value, key=None):
    """What Orleans.Cache's ServerCommands.Docs writes for the compact form (RESP3), to check the round trip."""
    if isinstance(value, dict):
        return b"%%%d\r\n" % len(value) + b"".join(to_resp(k) + to_resp(v, k) for k, v in value.items())
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, str):
        data = value.encode()
        return b"$%d\r\n%s\r\n" % (len(data), data)
    if key in ("flags", "doc_flags"):
        return b"~%d\r\n" % len(value) + b"".join(b"+%s\r\n" % f.encode() for f in value)
    if key == "history":
        return b"~%d\r\n" % len(value) + b"".join(to_resp(entry) for entry in value)
    return b"*%d\r\n" % len(value) + b"".join(to_resp(v) for v in value)


def read_docs(port):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        reader = Reader(sock)
        call(sock, reader, "HELLO", "3")
        value, raw = call(sock, reader, "COMMAND", "DOCS")
        version = to_json(call(sock, reader, "INFO", "server")[0]).split("redis_version:")[1].split("\r\n")[0]
    docs = to_json(value)
    if to_resp(docs) != raw:
        sys.exit("the compact form does not re-encode to the server's COMMAND DOCS reply; the conventions above need a look")
    return docs, version


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, help="read from a redis-server already listening on this port")
    args = parser.parse_args()
    if args.port:
        docs, version = read_docs(args.port)
    else:
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="command-docs-") as folder:
            server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL)
            try:
                wait_for_ping(port, server)
                docs, version = read_docs(port)
            finally:
                server.terminate()
                server.wait()
    with open(NEWER) as f:
        newer = json.load(f)
    for name, doc in newer.items():
        if name not in docs:
            docs[name] = doc
    docs = dict(sorted(docs.items()))
    with open(OUT, "w") as f:
        json.dump({"source": f"redis-server {version} COMMAND DOCS, plus tests/bench/command-docs-newer.json", "commands": docs},
                  f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(f"{len(docs)} commands ({len(newer)} from command-docs-newer.json) from redis-server {version} -> "
          f"{os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()

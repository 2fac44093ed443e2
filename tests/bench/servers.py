"""Shared by the comparison scripts: a real redis-server and an Orleans.Cache silo side by side on loopback."""
import contextlib, os, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_ping(port, proc, seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server on port {port} exited with {proc.returncode}")
        r = subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True, text=True)
        if r.stdout.strip() == "PONG":
            return
        time.sleep(0.3)
    sys.exit(f"server on port {port} did not answer PING")


def build_silo(root):
    """Builds the silo of the tree at `root` (Release) and returns its dll."""
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(root, "silo/Orleans.Cache.Silo")],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(root, "silo/Orleans.Cache.Silo/bin/Release/net10.0/Orleans.Cache.Silo.dll")


def start_silo(silo_dll, port, silo_args, env, cwd, silo_port=None):
    return subprocess.Popen(["dotnet", silo_dll, "--port", str(port), "--silo-port", str(silo_port or free_port()),
                             "--gateway-port", str(free_port()), "--Snapshots:Storage", "None",
                             "--Logging:LogLevel:Default", "Warning", *silo_args], env=env, cwd=cwd, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def side_by_side(tools, silo_args=(), prefix="orleans-cache-bench-", baseline=None):
    """Builds the silo (Release), starts redis-server and one silo on free ports, waits for PING from both,
    yields {"redis": port, "orleans": port}, and stops both afterwards. With `baseline` (a git revision, e.g. main),
    that revision's silo is built in a temporary worktree and started too, as "baseline"."""
    for tool in tools:
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (apt-get install -y redis-server redis-tools)")
    silo_dll = build_silo(ROOT)
    ports = {"redis": free_port(), "orleans": free_port()}
    data = tempfile.mkdtemp(prefix=prefix)
    tree = None
    if baseline:
        tree = os.path.join(data, "baseline-tree")
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", tree, baseline], check=True, stdout=subprocess.DEVNULL)
        baseline_dll = build_silo(tree)
        ports["baseline"] = free_port()
    env = dict(os.environ, DOTNET_TieredPGO="1", DOTNET_TC_CallCountingDelayMs="0", DOTNET_gcServer="1")
    servers = {
        "redis": subprocess.Popen(["redis-server", "--port", str(ports["redis"]), "--save", "", "--appendonly", "no", "--dir", data],
                                  stdout=subprocess.DEVNULL),
        "orleans": start_silo(silo_dll, ports["orleans"], silo_args, env, data),
    }
    if baseline:
        servers["baseline"] = start_silo(baseline_dll, ports["baseline"], silo_args, env, data)
    try:
        for name, proc in servers.items():
            wait_for_ping(ports[name], proc)
        yield ports
    finally:
        for proc in servers.values():
            proc.terminate()
        for proc in servers.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tree:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", tree], stdout=subprocess.DEVNULL)
        shutil.rmtree(data, ignore_errors=True)

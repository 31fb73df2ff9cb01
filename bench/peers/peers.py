"""The peers of make bench: how each is started, where it listens, what a client must send.

Each proxy runs through its start script in this folder (nginx.sh, haproxy.sh, portkey.sh,
plinth.sh), pinned with taskset to the proxy core; the script execs the proxy, so the pid we
hold is the proxy's (for nginx, the master; its worker is a child).
"""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import supervisor

PEERS_DIR = Path(__file__).resolve().parent
BENCH_DIR = PEERS_DIR.parent

# Every peer any scenario may use, in table order.
ALL_PEERS = ["direct", "static", "nginx", "haproxy", "portkey", "plinth", "plinth-governed"]
PROXIES = [p for p in ALL_PEERS if p != "direct"]

API_KEY = "bench-key"  # Plinth's admin key; every peer gets the same Authorization header


@dataclass
class Peer:
    name: str
    url: str                      # the chat completions URL a client calls
    headers: list = field(default_factory=list)  # "Name: value" lines the client must send
    process: object = None        # supervisor.Process; None for direct
    base: str = ""                # http://HOST:PORT

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def stop(self):
        if self.process:
            self.process.stop()


@dataclass
class Upstream:
    """The mock upstream a scenario runs against."""
    host: str
    port: int
    static_body_file: str = ""    # the mock's plain chat body, for the static peer

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"


def common_headers():
    return [f"Authorization: Bearer {API_KEY}"]


def start(name, upstream, work_dir, proxy_core, plinth_bin, stream=False, ready_timeout_s=30):
    """Starts peer `name` against `upstream` and waits until it answers. `stream` turns on
    what a peer needs for SSE (HAProxy's http-no-delay). Raises supervisor.StartError."""
    chat = "/v1/chat/completions"
    if name == "direct":
        return Peer(name, upstream.base_url + chat, common_headers(), None, upstream.base_url)

    peer_dir = os.path.join(work_dir, name)
    os.makedirs(peer_dir, exist_ok=True)
    pin = ["taskset", "-c", str(proxy_core)] if proxy_core is not None else []
    log = os.path.join(peer_dir, "output.log")

    if name in ("plinth", "plinth-governed"):
        argv = pin + [str(PEERS_DIR / "plinth.sh"), "--plinth", plinth_bin,
                      "--listen", "127.0.0.1:0", "--upstream-url", upstream.base_url + "/v1",
                      "--dir", peer_dir, "--governed" if name == "plinth-governed" else "--minimal"]
        proc = supervisor.Process(name, argv, log, env={"PLINTH_ADMIN_KEY": API_KEY})
        try:
            m = proc.wait_for_line(r"plinth listening on (http://127\.0\.0\.1:(\d+))",
                                   ready_timeout_s)
        except supervisor.StartError:
            proc.stop()
            raise
        base = m.group(1)
        return Peer(name, base + chat, common_headers(), proc, base)

    port = supervisor.free_port()
    base = f"http://127.0.0.1:{port}"
    headers = common_headers()
    if name == "static":
        argv = [str(PEERS_DIR / "nginx.sh"), "--listen", f"127.0.0.1:{port}", "--dir", peer_dir,
                "--static-body", upstream.static_body_file]
    elif name == "nginx":
        argv = [str(PEERS_DIR / "nginx.sh"), "--listen", f"127.0.0.1:{port}", "--dir", peer_dir,
                "--upstream", upstream.address]
    elif name == "haproxy":
        argv = [str(PEERS_DIR / "haproxy.sh"), "--listen", f"127.0.0.1:{port}",
                "--dir", peer_dir, "--upstream", upstream.address]
        argv += ["--stream"] if stream else []
    elif name == "portkey":
        argv = [str(PEERS_DIR / "portkey.sh"), "--port", str(port)]
        headers += ["x-portkey-provider: openai",
                    f"x-portkey-custom-host: {upstream.base_url}/v1"]
    else:
        raise ValueError(f"unknown peer '{name}'; known: {', '.join(ALL_PEERS)}")
    proc = supervisor.Process(name, pin + argv, log)
    try:
        proc.wait_for_port(port, ready_timeout_s)
    except supervisor.StartError:
        proc.stop()
        raise
    return Peer(name, base + chat, headers, proc, base)


def smoke(peer, model="mock", timeout_s=10):
    """One small chat through the peer; StartError unless it answers 200 with a completion."""
    headers = {"Content-Type": "application/json"}
    for h in peer.headers:
        k, v = h.split(":", 1)
        headers[k.strip()] = v.strip()
    body = '{"model":"%s","messages":[{"role":"user","content":"ping"}]}' % model
    try:
        status, text = supervisor.http_post(peer.url, body, headers, timeout_s)
    except OSError as e:
        raise supervisor.StartError(f"{peer.name}: a first request to {peer.url} failed: {e}")
    if status != 200 or "chat.completion" not in text:
        raise supervisor.StartError(f"{peer.name}: a first request to {peer.url} got {status}: "
                                    f"{text[:300]}")


def available(name):
    """'' if the peer can run on this machine, else what is missing."""
    if name in ("nginx", "static") and not shutil.which("nginx"):
        return "nginx not installed (scripts/install-bench-deps.sh)"
    if name == "haproxy" and not shutil.which("haproxy"):
        return "haproxy not installed (scripts/install-bench-deps.sh)"
    if name == "portkey":
        if not shutil.which("node"):
            return "node not installed (scripts/install-bench-deps.sh)"
        if not (BENCH_DIR / "node_modules/@portkey-ai/gateway/build/start-server.js").exists():
            return "Portkey not installed: run 'npm ci' in bench/ (scripts/install-bench-deps.sh)"
    return ""

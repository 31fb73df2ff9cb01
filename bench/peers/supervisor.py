"""Starting, watching and stopping the processes of a benchmark run (see bench/README.md).

Every process goes into its own session so that it and its children stop together; every
process started is registered, and stop_all() (also run on Ctrl-C and on errors) ends them.
Readiness is waited on (a line of output, a port that accepts), never slept on.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

_started = []  # every Process not yet stopped
_lock = threading.Lock()


class StartError(Exception):
    """A process did not start or did not become ready; the message says which and why."""


def free_port(host="127.0.0.1"):
    """A loopback port that nothing listens on now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Process:
    """A child process whose stdout and stderr lines are kept (and copied to `log_path`)."""

    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._lines = []
        self._cond = threading.Condition()
        self._log = open(log_path, "w", encoding="utf-8", errors="replace")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.popen = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=full_env, cwd=cwd, start_new_session=True)
        self.pid = self.popen.pid
        with _lock:
            _started.append(self)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.popen.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._log.write(line + "\n")
            self._log.flush()
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def alive(self):
        return self.popen.poll() is None

    def output(self, last=20):
        with self._cond:
            return "\n".join(self._lines[-last:])

    def wait_for_line(self, pattern, timeout_s):
        """The first match of regex `pattern` in the output; StartError on exit or timeout."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout_s
        seen = 0
        with self._cond:
            while True:
                for line in self._lines[seen:]:
                    m = regex.search(line)
                    if m:
                        return m
                seen = len(self._lines)
                if self.popen.poll() is not None and not self._reader.is_alive():
                    raise StartError(f"{self.name} exited (status {self.popen.returncode}) "
                                     f"before printing /{pattern}/:\n{self.output()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StartError(f"{self.name} printed no /{pattern}/ within {timeout_s} s:"
                                     f"\n{self.output()}")
                self._cond.wait(min(left, 0.25))

    def wait_for_port(self, port, timeout_s, host="127.0.0.1"):
        """Returns once `port` accepts a connection; StartError if the process exits first."""
        deadline = time.monotonic() + timeout_s
        delay = 0.005
        while True:
            if not self.alive():
                raise StartError(f"{self.name} exited (status {self.popen.returncode}) before "
                                 f"listening on {host}:{port}:\n{self.output()}")
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise StartError(f"{self.name} did not listen on {host}:{port} within "
                                 f"{timeout_s} s:\n{self.output()}")
            # Nothing to wait on but the kernel: back off from 5 ms to 100 ms.
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def wait(self, timeout_s=None):
        """The exit status, or None if still running after `timeout_s`."""
        try:
            return self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace_s=5.0):
        """SIGTERM to the process's session, SIGKILL after `grace_s`; idempotent."""
        if self.popen.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                _signal_group(self.pid, signal.SIGKILL)
                self.popen.wait()
        # Children left in the session (e.g. nginx's worker) go too.
        _signal_group(self.pid, signal.SIGKILL)
        self._reader.join(timeout=2)
        self._log.close()
        with _lock:
            if self in _started:
                _started.remove(self)


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    """Stops every process started and not yet stopped, newest first."""
    with _lock:
        procs = list(reversed(_started))
    for p in procs:
        try:
            p.stop(grace_s=3.0)
        except Exception as e:  # keep stopping the others; say which one failed
            print(f"run_bench: could not stop {p.name} (pid {p.pid}): {e}", flush=True)


def install_signal_handlers():
    """Ctrl-C and SIGTERM raise KeyboardInterrupt, so `finally: stop_all()` runs."""
    def handler(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


# ---- /proc: CPU time and memory of a process tree ----

def _children(pid):
    """Children forked by any thread of `pid`."""
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def process_tree(pid):
    """`pid` and every descendant alive now."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid):
    """CPU time of `pid` and its descendants, all threads, in seconds: {'stat': user+system
    from /proc/PID/stat (clock ticks, children that exited included), 'sched': the
    scheduler's on-CPU time from /proc/PID/task/*/schedstat (nanoseconds; None if the kernel
    has no schedstat)}."""
    stat_s, sched_ns, have_sched = 0.0, 0, True
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # Fields after the command: state=0 ... utime=11 stime=12 cutime=13 cstime=14.
            stat_s += sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICK
        except OSError:
            continue
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/schedstat") as f:
                    sched_ns += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            have_sched = False
    return {"stat": stat_s, "sched": sched_ns / 1e9 if have_sched else None}


def cpu_seconds(before, after):
    """CPU seconds between two tree_cpu() samples: the precise figure where there is one."""
    if before["sched"] is not None and after["sched"] is not None:
        return after["sched"] - before["sched"]
    return after["stat"] - before["stat"]


def _status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid):
    """Resident memory of `pid` and its descendants (VmRSS), KiB."""
    return sum(_status_kib(p, "VmRSS") for p in process_tree(pid))


def tree_peak_rss_kib(pid):
    """Peak resident memory (VmHWM) summed over `pid` and its descendants, KiB."""
    return sum(_status_kib(p, "VmHWM") for p in process_tree(pid))


def reset_peak_rss(pid):
    """Starts VmHWM afresh (needs to own the process or be root); False if not allowed."""
    ok = True
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            ok = False
    return ok


def http_get(url, timeout_s=5.0, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout_s) as r:
        return r.read().decode("utf-8", "replace")


def http_post(url, body, headers, timeout_s=10.0):
    """(status, body text) of a POST; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def core_busy_s(core):
    """Seconds core `core` spent busy (user, nice, system, irq, softirq) since boot, from
    /proc/stat: everything run on the proxy's core, the network stack's softirq included,
    which a process's own CPU time leaves out. None if there is no such core."""
    if core is None:
        return None
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{core} "):
                v = [int(x) for x in line.split()[1:8]]
                user, nice, system, _idle, _iowait, irq, softirq = v
                return (user + nice + system + irq + softirq) / _TICK
    return None

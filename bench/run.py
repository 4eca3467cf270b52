#!/usr/bin/env python3
"""Karst's benchmarks, in one command.

  bench/run.py [--out DIR] [--quick] [--only STEPS] [--port N]

Starts the server as built (karaf-assembly/target/assembly, from `mvn -B -DskipTests install`)
in a scratch copy with a benchmark configuration: a 1 GiB vdisk_fileio LUN on /dev/shm
(iqn.2026-11.io.karst:bench) and a 1 GiB vdisk_nullio LUN (iqn.2026-11.io.karst:null), GC
logging on and nothing else changed from the defaults. It also starts tgt (STGT) on port 3261
with a 1 GiB LUN on /dev/shm, so that both targets serve memory. Then the steps, in order:

  jmh       the JMH benchmarks (benchmarks/target/karst-benchmarks.jar)
  loopback  what loopback TCP carries on one stream (iperf3), the ceiling of the bandwidth
            workloads
  peer      the eight peer-bench workloads (4 KiB at depth 1 and 32, 6 MiB at depth 1,
            1 MiB at depth 8, read and write; qemu-img bench, runs alternating A B A B) on the
            fileio and nullio LUNs against tgt: medians, ratios, geometric mean, CPU time per
            operation of each target process, peak heap and resident size of the server
  sweep     4 KiB reads and writes at queue depth 1 to 64 on one session, and on 1 to 16
            sessions at depth 1 each, Karst (fileio) and tgt; PNG plots with gnuplot
  memory    heap per idle session (500 logins held open) and the objects an in-flight command
            keeps (class histogram at depth 64)
  gc        GC pauses and allocation per command during 4 KiB depth-32 reads and writes
  profile   a JFR recording during 4 KiB depth-32 reads, summarised by hot methods and areas
  settings  the bandwidth workloads on the fileio LUN with other values of the iSCSI driver's
            max_recv_data_segment_length and max_burst_length, each on a freshly started server

Everything lands in DIR (default bench/results/<date>): summary.md with every table, the
plots, raw CSV and JSON, gc.log and profile.jfr. A full run takes about 30 minutes, --quick
about 8 (fewer runs, shorter phases: for trying the script, not for recording figures).

Needs root (tgtd), the Debian packages tgt, qemu-utils, qemu-block-extra and gnuplot-nox, and
a JDK (jcmd, jstat, jfr). These machines are shared and noisy: trust ratios taken in one
sitting more than absolute figures.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSEMBLY = os.path.join(ROOT, "karaf-assembly", "target", "assembly")
JMH_JAR = os.path.join(ROOT, "benchmarks", "target", "karst-benchmarks.jar")
GIB = 1 << 30
TGT_PORT = 3261
TGT_IQN = "iqn.2026-11.io.karst.bench:tgt"
BENCH_IQN = "iqn.2026-11.io.karst:bench"
NULL_IQN = "iqn.2026-11.io.karst:null"
# memory forces full collections (jcmd GC.run, class histograms): it runs after gc and profile,
# which measure the server as it runs.
STEPS = ["jmh", "loopback", "peer", "sweep", "gc", "profile", "memory", "settings"]

# name, block size, queue depth, count, write? (the peer-bench.py workloads)
WORKLOADS = [
    ("4k-qd1-read", 4096, 1, 20000, False),
    ("4k-qd1-write", 4096, 1, 20000, True),
    ("4k-qd32-read", 4096, 32, 60000, False),
    ("4k-qd32-write", 4096, 32, 60000, True),
    ("6m-qd1-read", 6 << 20, 1, 150, False),
    ("6m-qd1-write", 6 << 20, 1, 150, True),
    ("1m-qd8-read", 1 << 20, 8, 900, False),
    ("1m-qd8-write", 1 << 20, 8, 900, True),
]
DEPTHS = [1, 2, 4, 8, 16, 32, 64]
SESSIONS = [1, 2, 4, 8, 16]

CONFIG = """# Written by bench/run.py: the benchmark LUNs, defaults otherwise.
HANDLER vdisk_fileio {
    DEVICE bench0 {
        filename /dev/shm/karst-bench.img
        size 1G
        create 1
    }
}
HANDLER vdisk_nullio {
    DEVICE null0 {
        size 1G
    }
}
TARGET_DRIVER iscsi {
    enabled 1
    portals 127.0.0.1:%(port)d
%(driver)s    TARGET %(bench)s {
        enabled 1
        LUN 0 bench0
    }
    TARGET %(null)s {
        enabled 1
        LUN 0 null0
    }
}
"""


def sh(*cmd, check=True, timeout=None):
    return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=timeout)


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---------------------------------------------------------------- processes and their costs

def cpu_seconds(pid):
    """User plus system CPU time of a process and its threads, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def heap_used(pid):
    """Bytes of Java heap in use (jstat: survivors, eden, old)."""
    out = sh("jstat", "-gc", str(pid)).stdout.split("\n")
    head, values = out[0].split(), out[1].split()
    g = dict(zip(head, values))
    return int(sum(float(g[k]) for k in ("S0U", "S1U", "EU", "OU")) * 1024)


class Sampler(threading.Thread):
    """Samples a JVM's heap in use and resident size every half second; keeps the peaks."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.heap, self.rss = pid, 0, 0
        self.running = True

    def run(self):
        while self.running:
            try:
                self.heap = max(self.heap, heap_used(self.pid))
                self.rss = max(self.rss, rss_bytes(self.pid))
            except (OSError, subprocess.CalledProcessError, IndexError, KeyError):
                pass
            time.sleep(0.5)

    def stop(self):
        self.running = False
        self.join()


class Server:
    """The Karst server, started from a scratch copy of the assembly."""

    def __init__(self, workdir, port, out, driver=None, name="server", java_opts=""):
        self.dir = os.path.join(workdir, name)
        self.port = port
        shutil.copytree(ASSEMBLY, self.dir, symlinks=True)
        with open(os.path.join(self.dir, "etc", "karst.conf"), "w") as f:
            f.write(CONFIG % {"port": port, "bench": BENCH_IQN, "null": NULL_IQN,
                              "driver": "".join("    %s %s\n" % kv
                                                for kv in (driver or {}).items())})
        self.gc_log = os.path.join(out, name + "-gc.log")
        env = dict(os.environ)
        env["EXTRA_JAVA_OPTS"] = ("-Xlog:gc,gc+phases:file=%s:uptime %s" % (self.gc_log, java_opts)).strip()
        self.console = open(os.path.join(out, name + ".out"), "w")
        self.proc = subprocess.Popen([os.path.join(self.dir, "bin", "karaf"), "server"],
                                     env=env, stdout=self.console, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 180
        while not self.listening():
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the server did not listen on %d; see server.out" % port)
            time.sleep(0.5)
        self.pid = self.java_pid()
        time.sleep(3)  # let the remaining bundles settle

    def listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def java_pid(self):
        out = sh("pgrep", "-f", "karaf.base=%s " % self.dir, check=False).stdout.split()
        out += sh("pgrep", "-f", "karaf.base=%s$" % self.dir, check=False).stdout.split()
        for p in out:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                if os.path.basename(f.read().split(b"\0")[0]) == b"java":
                    return int(p)
        raise RuntimeError("no java process for " + self.dir)

    def jcmd(self, *args):
        return sh("jcmd", str(self.pid), *args, timeout=120).stdout

    def url(self, iqn):
        return "iscsi://127.0.0.1:%d/%s/0" % (self.port, iqn)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.console.close()


class Tgt:
    """tgtd with one 1 GiB LUN on /dev/shm, as peer-bench.py sets it up."""

    def __init__(self, workdir):
        if sh("tgtadm", "--op", "show", "--mode", "sys", check=False).returncode == 0:
            sys.exit("a tgtd is already running: stop it first")
        self.img = "/dev/shm/karst-bench-tgt.img"
        with open(self.img, "wb") as f:
            f.truncate(GIB)
        self.log = open(os.path.join(workdir, "tgtd.log"), "w")
        self.proc = subprocess.Popen(["tgtd", "-f", "--iscsi", "portal=127.0.0.1:%d" % TGT_PORT],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if sh("tgtadm", "--op", "show", "--mode", "sys", check=False).returncode == 0:
                break
            time.sleep(0.1)
        sh("tgtadm", "--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", "1",
           "-T", TGT_IQN)
        sh("tgtadm", "--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", "1",
           "--lun", "1", "-b", self.img)
        sh("tgtadm", "--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", "1",
           "-I", "ALL")
        self.pid = self.proc.pid
        self.url = "iscsi://127.0.0.1:%d/%s/1" % (TGT_PORT, TGT_IQN)

    def stop(self):
        self.proc.kill()  # tgtd ignores SIGTERM while it has targets
        self.proc.wait()
        self.log.close()
        os.unlink(self.img)


# ---------------------------------------------------------------- qemu-img bench

def bench_cmd(url, bs, depth, count, write):
    cmd = ["qemu-img", "bench", "-f", "raw", "-t", "none", "-c", str(count), "-d", str(depth),
           "-s", str(bs)]
    return cmd + (["-w"] if write else []) + [url]


def seconds_of(out, url):
    m = re.search(r"Run completed in ([0-9.]+) seconds", out)
    if not m:
        raise RuntimeError("qemu-img bench failed on %s: %s" % (url, out.strip()[-300:]))
    return float(m.group(1))


def bench(url, bs, depth, count, write):
    r = sh(*bench_cmd(url, bs, depth, count, write), check=False, timeout=300)
    return seconds_of(r.stdout + r.stderr, url)


def bench_parallel(url, sessions, count, write):
    """One qemu-img bench per session at depth 1, started together; total operations/s."""
    procs = [subprocess.Popen(bench_cmd(url, 4096, 1, count, write), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(sessions)]
    rate = 0.0
    for p in procs:
        out, _ = p.communicate(timeout=300)
        rate += count / seconds_of(out, url)
    return rate


def measured(pid, fn):
    """Runs fn(), returns (its result, CPU seconds the process pid used meanwhile)."""
    before = cpu_seconds(pid)
    result = fn()
    return result, cpu_seconds(pid) - before


# ---------------------------------------------------------------- steps

def step_jmh(args, out, summary, **_):
    if not os.path.exists(JMH_JAR):
        summary.append("JMH: %s missing; build with mvn -B -DskipTests install\n" % JMH_JAR)
        return
    iterations = ["-wi", "1", "-i", "2"] if args.quick else ["-wi", "3", "-i", "5"]
    result = os.path.join(out, "jmh.json")
    r = sh("java", "-jar", JMH_JAR, *iterations, "-w", "1s", "-r", "1s", "-f", "1", "-rf", "json",
           "-rff", result, check=False, timeout=1800)
    with open(os.path.join(out, "jmh.txt"), "w") as f:
        f.write(r.stdout + r.stderr)
    rows = json.load(open(result))
    lines = ["## JMH\n", "```", "%-52s %-22s %14s %s" % ("benchmark", "parameters", "score", "unit")]
    for b in rows:
        params = ",".join("%s=%s" % kv for kv in sorted((b.get("params") or {}).items()))
        m = b["primaryMetric"]
        lines.append("%-52s %-22s %14.1f %s" % (b["benchmark"].replace("io.karst.", ""), params,
                                                m["score"], m["scoreUnit"]))
    lines.append("```\n")
    summary.append("\n".join(lines))


def step_loopback(args, out, summary, **_):
    if not shutil.which("iperf3"):
        summary.append("## Loopback\n\niperf3 not found (apt-get install -y iperf3).\n")
        return
    server = subprocess.Popen(["iperf3", "-s", "-1", "-p", "5299"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        r = sh("iperf3", "-c", "127.0.0.1", "-p", "5299", "-t", "3" if args.quick else "10",
               "-J", timeout=60)
        bps = json.loads(r.stdout)["end"]["sum_received"]["bits_per_second"]
    finally:
        server.wait(timeout=30)
    summary.append("## Loopback\n\nOne TCP stream on 127.0.0.1 (iperf3): %.0f MB/s.\n"
                   % (bps / 8 / 1e6))
    log("loopback %.0f MB/s" % (bps / 8 / 1e6))


def human(bs, count, seconds):
    if bs >= 1 << 20:
        return "%8.0f MB/s" % (bs * count / seconds / 1e6)
    return "%8.0f IOPS" % (count / seconds)


def step_peer(args, out, summary, server, tgt, **_):
    runs = 2 if args.quick else 5
    scale = 4 if args.quick else 1
    for label, iqn in (("vdisk_fileio on /dev/shm", BENCH_IQN), ("vdisk_nullio", NULL_IQN)):
        url = server.url(iqn)
        lines = ["## Side by side with tgt: %s\n" % label, "```",
                 "%-14s %14s %14s %7s %10s %10s %10s %10s" % (
                     "workload", "Karst", "tgt", "ratio", "Karst cpu", "tgt cpu", "heap peak",
                     "rss peak")]
        ratios = []
        for name, bs, depth, count, write in WORKLOADS:
            count = max(1, count // scale)
            bench(url, bs, depth, max(1, count // 10), write)
            bench(tgt.url, bs, depth, max(1, count // 10), write)
            ours, theirs, our_cpu, their_cpu = [], [], [], []
            sampler = Sampler(server.pid)
            sampler.start()
            for _ in range(runs):
                s, c = measured(server.pid, lambda: bench(url, bs, depth, count, write))
                ours.append(s)
                our_cpu.append(c)
                s, c = measured(tgt.pid, lambda: bench(tgt.url, bs, depth, count, write))
                theirs.append(s)
                their_cpu.append(c)
            sampler.stop()
            ratio = statistics.median(t / o for o, t in zip(ours, theirs))
            ratios.append(ratio)
            per_op = lambda c: "%7.1f us" % (statistics.median(c) / count * 1e6)
            lines.append("%-14s %14s %14s %6.2fx %10s %10s %7.0f MB %7.0f MB" % (
                name, human(bs, count, statistics.median(ours)),
                human(bs, count, statistics.median(theirs)), ratio, per_op(our_cpu),
                per_op(their_cpu), sampler.heap / 1e6, sampler.rss / 1e6))
            log("peer %s %s" % (iqn, lines[-1]))
        g = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        lines.append("geometric mean ratio %.2f over %d workloads, lowest %.2fx" % (
            g, len(ratios), min(ratios)))
        lines.append("```\n")
        lines.append("CPU: CPU time of the target process per operation (Karst: the server JVM, "
                     "all threads; tgt: tgtd). Heap and RSS: peaks of the server JVM during the "
                     "workload.\n")
        summary.append("\n".join(lines))


def step_sweep(args, out, summary, server, tgt, **_):
    runs = 1 if args.quick else 2
    url = server.url(BENCH_IQN)
    rows = []
    for depth in DEPTHS:
        count = (5000 if args.quick else 15000) * min(depth, 8)
        for write in (False, True):
            for who, u in (("karst", url), ("tgt", tgt.url)):
                bench(u, 4096, depth, max(1, count // 10), write)
            karst, peer = [], []
            for _ in range(runs):
                karst.append(count / bench(url, 4096, depth, count, write))
                peer.append(count / bench(tgt.url, 4096, depth, count, write))
            for who, v in (("karst", karst), ("tgt", peer)):
                iops = statistics.median(v)
                rows.append(("depth", depth, "write" if write else "read", who, iops,
                             depth / iops * 1e6))
                log("sweep depth %d %s %s %.0f IOPS" % (depth, rows[-1][2], who, iops))
    for n in SESSIONS:
        count = 4000 if args.quick else 10000
        for write in (False, True):
            karst, peer = [], []
            for _ in range(runs):
                karst.append(bench_parallel(url, n, count, write))
                peer.append(bench_parallel(tgt.url, n, count, write))
            for who, v in (("karst", karst), ("tgt", peer)):
                iops = statistics.median(v)
                rows.append(("sessions", n, "write" if write else "read", who, iops,
                             n / iops * 1e6))
                log("sweep sessions %d %s %s %.0f IOPS" % (n, rows[-1][2], who, iops))
    csv = os.path.join(out, "sweep.csv")
    with open(csv, "w") as f:
        f.write("axis,x,op,target,iops,latency_us\n")
        for r in rows:
            f.write("%s,%d,%s,%s,%.0f,%.1f\n" % r)
    plots = plot(out, rows)
    lines = ["## Queue depth and sessions (4 KiB, vdisk_fileio on /dev/shm vs tgt)\n",
             "Mean latency is outstanding commands / IOPS (Little's law; qemu-img bench keeps "
             "the queue full). Sessions: one qemu-img bench per session, depth 1 each.\n", "```",
             "%-9s %4s %-5s %12s %12s %12s %12s %7s" % ("axis", "x", "op", "Karst IOPS", "tgt IOPS",
                                                      "Karst us", "tgt us", "ratio")]
    for axis in ("depth", "sessions"):
        for x in (DEPTHS if axis == "depth" else SESSIONS):
            for op in ("read", "write"):
                k = [r for r in rows if r[:3] == (axis, x, op) and r[3] == "karst"][0]
                t = [r for r in rows if r[:3] == (axis, x, op) and r[3] == "tgt"][0]
                lines.append("%-9s %4d %-5s %12.0f %12.0f %12.1f %12.1f %6.2fx" % (
                    axis, x, op, k[4], t[4], k[5], t[5], k[4] / t[4]))
    lines.append("```\n")
    lines += ["![%s](%s)" % (p, p) for p in plots]
    summary.append("\n".join(lines) + "\n")


def plot(out, rows):
    if not shutil.which("gnuplot"):
        log("gnuplot not found (apt-get install -y gnuplot-nox): no plots")
        return []
    made = []
    for axis, xlabel in (("depth", "queue depth (one session)"),
                         ("sessions", "sessions (queue depth 1 each)")):
        data = os.path.join(out, "sweep-%s.dat" % axis)
        with open(data, "w") as f:
            for who in ("karst", "tgt"):
                for op in ("read", "write"):
                    f.write("# %s %s\n" % (who, op))
                    for r in rows:
                        if r[0] == axis and r[2] == op and r[3] == who:
                            f.write("%d %.0f %.1f\n" % (r[1], r[4], r[5]))
                    f.write("\n\n")
        for metric, column, ylabel in (("iops", 2, "IOPS (4 KiB)"),
                                       ("latency", 3, "mean latency (us)")):
            png = "%s-vs-%s.png" % (metric, axis)
            script = """set terminal pngcairo size 800,500
set output '%(png)s'
set logscale x 2
set xlabel '%(xlabel)s'
set ylabel '%(ylabel)s'
set key top left
set grid
plot '%(data)s' index 0 using 1:%(c)d with linespoints title 'Karst read', \\
     '%(data)s' index 1 using 1:%(c)d with linespoints title 'Karst write', \\
     '%(data)s' index 2 using 1:%(c)d with linespoints title 'tgt read', \\
     '%(data)s' index 3 using 1:%(c)d with linespoints title 'tgt write'
""" % {"png": os.path.join(out, png), "xlabel": xlabel, "ylabel": ylabel, "data": data,
       "c": column}
            r = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
            if r.returncode == 0:
                made.append(png)
            else:
                log("gnuplot failed: " + r.stderr.strip())
    return made


def login(port, iqn, isid, operational=()):
    """An iSCSI login (RFC 7143 11.12) to the full feature phase; returns the open socket."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)

    def exchange(csg, nsg, keys, cmdsn):
        data = "".join("%s=%s\0" % kv for kv in keys).encode()
        bhs = bytearray(48)
        bhs[0] = 0x43  # Login Request, immediate
        bhs[1] = 0x80 | (csg << 2) | nsg  # Transit
        bhs[5:8] = len(data).to_bytes(3, "big")
        bhs[8:14] = isid.to_bytes(6, "big")
        struct.pack_into(">IHHII", bhs, 16, 1, 0, 0, cmdsn, 0)
        s.sendall(bytes(bhs) + data + b"\0" * (-len(data) % 4))
        head = recv_exactly(s, 48)
        length = int.from_bytes(head[5:8], "big")
        recv_exactly(s, length + (-length % 4))
        if head[0] & 0x3F != 0x23 or head[36] != 0:
            raise RuntimeError("login refused: status %d/%d" % (head[36], head[37]))

    exchange(0, 1, [("InitiatorName", "iqn.2026-11.io.karst.bench:idle"),
                    ("SessionType", "Normal"), ("TargetName", iqn), ("AuthMethod", "None")], 0)
    exchange(1, 3, [("HeaderDigest", "None"), ("DataDigest", "None")] + list(operational), 0)
    return s


def writes_waiting_for_data(s, n):
    """Sends n 4 KiB WRITE(10) commands without data, so that the target holds each one,
    its buffer allocated, waiting for the Data-Out its R2T asks for."""
    for i in range(n):
        bhs = bytearray(48)
        bhs[0] = 0x01  # SCSI Command
        bhs[1] = 0xA1  # Final, Write, SIMPLE
        struct.pack_into(">IIIII", bhs, 16, i + 1, 4096, i, 0, 0)  # ITT, EDTL, CmdSN, ExpStatSN
        cdb = bytes([0x2A, 0]) + (i * 8).to_bytes(4, "big") + bytes([0, 0, 8, 0])
        bhs[32:32 + len(cdb)] = cdb
        s.sendall(bytes(bhs))


def recv_exactly(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise RuntimeError("connection closed during login")
        b += chunk
    return b


def settled_heap(server):
    server.jcmd("GC.run")
    time.sleep(1)
    server.jcmd("GC.run")
    return heap_used(server.pid)


def step_memory(args, out, summary, server, **_):
    n = 100 if args.quick else 500
    before_heap, before_rss = settled_heap(server), rss_bytes(server.pid)
    socks = [login(server.port, BENCH_IQN, 0x400000000000 + i) for i in range(n)]
    time.sleep(2)
    after_heap, after_rss = settled_heap(server), rss_bytes(server.pid)
    for s in socks:
        s.close()
    lines = ["## Memory\n", "```",
             "idle sessions: %d held open" % n,
             "heap after full GC: %.1f MB before, %.1f MB with them: %.1f KB per session" % (
                 before_heap / 1e6, after_heap / 1e6, (after_heap - before_heap) / n / 1e3),
             "resident size: %.1f MB before, %.1f MB with them: %.1f KB per session" % (
                 before_rss / 1e6, after_rss / 1e6, (after_rss - before_rss) / n / 1e3)]
    # What a command in flight keeps: a class histogram of the heap while 64 WRITEs wait for
    # their data (InitialR2T, no immediate data), compared with one of the same session idle.
    s = login(server.port, BENCH_IQN, 0x410000000000,
              [("InitialR2T", "Yes"), ("ImmediateData", "No")])
    time.sleep(1)
    idle = histogram(server)
    writes_waiting_for_data(s, 64)
    time.sleep(2)
    busy = histogram(server)
    s.close()
    waiting = busy.get("io.karst.core.internal.CoreTask", (0, 0))[0] - idle.get(
        "io.karst.core.internal.CoreTask", (0, 0))[0]
    lines.append("")
    lines.append("heap objects that %d WRITEs waiting for their data hold (classes with at "
                 "least one more object per command):" % waiting)
    total = 0
    for cls, (count, size) in sorted(busy.items(), key=lambda kv: -kv[1][1]):
        c0, s0 = idle.get(cls, (0, 0))
        if count - c0 >= waiting > 0 and size - s0 > 0:
            lines.append("  %-58s %6d objects %8d bytes" % (cls[:58], count - c0, size - s0))
            total += size - s0
    if waiting > 0:
        lines.append("  together %d bytes of heap per command in flight, besides its data "
                     "buffer (pooled, direct: the transfer length, here 4096 bytes)"
                     % (total / waiting))
    lines.append("```\n")
    summary.append("\n".join(lines))


def histogram(server):
    result = {}
    for line in server.jcmd("GC.class_histogram").splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            result[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return result


def gc_pauses(path, start):
    """The pauses (ms) logged after byte offset start of the GC log, but those a tool asked
    for (jcmd GC.run, heap inspection), which no workload causes."""
    with open(path) as f:
        f.seek(start)
        return [float(m.group(1)) for m in
                (re.search(r" Pause .*? ([0-9.]+)ms$", line.strip()) for line in f
                 if "Diagnostic Command" not in line and "Heap Inspection" not in line) if m]


def allocated(jfr):
    """Bytes the JVM's threads allocated during a recording: each thread's counter at the
    recording's end minus at its start (JFR emits the event at both, for live threads)."""
    printed = sh("jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics", jfr,
                 timeout=300).stdout
    seen = {}
    for e in json.loads(printed)["recording"]["events"]:
        v = e["values"]
        t = v["thread"]["javaThreadId"] if v.get("thread") else None
        seen.setdefault(t, []).append(v["allocated"])
    # A thread seen once started during the recording (a connection's event loop starts with
    # its first connection): all it allocated falls in it.
    return sum(max(a) - min(a) if len(a) > 1 else a[0] for a in seen.values())


def step_gc(args, out, summary, server, **_):
    count = 60000 if args.quick else 300000
    lines = ["## Garbage collection at 4 KiB, queue depth 32 (vdisk_fileio on /dev/shm)\n", "```"]
    bench(server.url(BENCH_IQN), 4096, 32, count // 10, False)  # warm-up, not measured
    time.sleep(2)  # the JVM writes its log asynchronously
    for write in (False, True):
        start = os.path.getsize(server.gc_log)
        jfr = os.path.join(out, "allocation-%s.jfr" % ("write" if write else "read"))
        server.jcmd("JFR.start", "name=alloc", "filename=" + jfr)
        bench(server.url(BENCH_IQN), 4096, 32, count, write)
        server.jcmd("JFR.stop", "name=alloc")
        pauses = gc_pauses(server.gc_log, start)
        op = "writes" if write else "reads"
        pause_text = ("%d pauses, longest %.2f ms, median %.2f ms" % (
            len(pauses), max(pauses), statistics.median(pauses)) if pauses else "no GC pause")
        lines.append("%d %s: %s; %.0f bytes allocated per command" % (
            count, op, pause_text, allocated(jfr) / count))
    lines.append("```\n")
    lines.append("Pauses from the server's GC log (-Xlog:gc,gc+phases; the JVM's default collector, "
                 "G1, unless --java-opts picks another; Karaf's heap settings). Allocation: the growth of every thread's allocation "
                 "counter over the run (JFR jdk.ThreadAllocationStatistics), over the commands; "
                 "the server's housekeeping in that time is counted too.\n")
    summary.append("\n".join(lines))


def step_profile(args, out, summary, server, **_):
    jfr = os.path.join(out, "profile.jfr")
    server.jcmd("JFR.start", "name=bench", "settings=profile", "filename=" + jfr)
    bench(server.url(BENCH_IQN), 4096, 32, 200000 if args.quick else 1000000, False)
    server.jcmd("JFR.stop", "name=bench")
    printed = sh("jfr", "print", "--json", "--stack-depth", "64", "--events",
                 "jdk.ExecutionSample", jfr, timeout=600).stdout
    events = json.loads(printed)["recording"]["events"]
    top, areas, threads = {}, {}, {}
    for e in events:
        frames = e["values"]["stackTrace"]["frames"]
        if not frames:
            continue
        method = frames[0]["method"]
        name = "%s.%s" % (type_name(frames[0]), method["name"])
        top[name] = top.get(name, 0) + 1
        area = area_of(frames)
        areas[area] = areas.get(area, 0) + 1
        thread = re.sub(r"[-#]?\d+$", "", e["values"]["sampledThread"]["javaName"] or "?")
        threads[thread] = threads.get(thread, 0) + 1
    n = len(events)
    lines = ["## Profile: 4 KiB reads at queue depth 32 (JFR execution samples)\n", "```",
             "%d samples of threads running Java code" % n, "", "by thread:"]
    lines += ["  %5.1f%%  %s" % (100.0 * c / n, t) for t, c in
              sorted(threads.items(), key=lambda kv: -kv[1])[:8]]
    lines += ["", "by area (the first Karst, Netty or JDK frame from the top):"]
    lines += ["  %5.1f%%  %s" % (100.0 * c / n, a) for a, c in
              sorted(areas.items(), key=lambda kv: -kv[1])]
    lines += ["", "hottest methods (top frame):"]
    lines += ["  %5.1f%%  %s" % (100.0 * c / n, m) for m, c in
              sorted(top.items(), key=lambda kv: -kv[1])[:20]]
    lines.append("```\n")
    summary.append("\n".join(lines))


AREAS = [
    ("io.karst.iscsi.", "Karst iSCSI driver"),
    ("io.karst.core.", "Karst core (SCSI)"),
    ("io.karst.vdisk.", "Karst vdisk handler"),
    ("io.netty.channel.epoll.", "Netty epoll transport (syscalls)"),
    ("io.netty.buffer.", "Netty buffers"),
    ("io.netty.", "Netty other"),
    ("sun.nio.ch.", "JDK NIO (file channel)"),
    ("java.util.concurrent.", "JDK concurrency"),
    ("jdk.internal.misc.Unsafe", "memory copies"),
]


def type_name(frame):
    return frame["method"]["type"]["name"].replace("/", ".")


def area_of(frames):
    for f in frames:
        name = type_name(f)
        for prefix, area in AREAS:
            if name.startswith(prefix):
                return area
    return "other (" + type_name(frames[0]).rsplit(".", 1)[0] + ")"


# (max_recv_data_segment_length, max_burst_length) tried by the settings step; the defaults
# are 262144 and 1048576.
SETTINGS = [(65536, 262144), (65536, 1048576), (262144, 1048576), (1048576, 1048576),
            (262144, 4194304), (1048576, 16776192)]


def step_settings(args, out, summary, server, workdir, **_):
    runs = 1 if args.quick else 3
    workloads = [w for w in WORKLOADS if w[1] >= 1 << 20]
    lines = ["## iSCSI data segment and burst sizes (vdisk_fileio on /dev/shm)\n",
             "Each line a server started with these driver attributes; medians of %d runs.\n"
             % runs, "```", "%-10s %-10s " % ("MRDSL", "MaxBurst")
             + " ".join("%13s" % w[0] for w in workloads)]
    for i, (segment, burst) in enumerate(SETTINGS):
        other = Server(workdir, args.port + 10, out, name="settings-%d" % i, driver={
            "max_recv_data_segment_length": segment, "max_burst_length": burst,
            "first_burst_length": min(262144, burst)})
        try:
            url = other.url(BENCH_IQN)
            cells = []
            for name, bs, depth, count, write in workloads:
                bench(url, bs, depth, max(1, count // 10), write)
                t = statistics.median(bench(url, bs, depth, count, write) for _ in range(runs))
                cells.append("%8.0f MB/s" % (bs * count / t / 1e6))
            lines.append("%-10d %-10d " % (segment, burst) + " ".join("%13s" % c for c in cells))
            log("settings " + lines[-1])
        finally:
            other.stop()
    lines.append("```\n")
    summary.append("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results",
                                                  datetime.date.today().isoformat()))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=",".join(STEPS), help="comma-separated steps")
    ap.add_argument("--port", type=int, default=3260)
    ap.add_argument("--java-opts", default="",
                    help="more JVM options for the server, e.g. -XX:+UseZGC to compare collectors")
    args = ap.parse_args()
    steps = [s for s in args.only.split(",") if s]
    unknown = set(steps) - set(STEPS)
    if unknown:
        sys.exit("unknown steps: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(STEPS)))
    for tool in ("tgtd", "tgtadm", "qemu-img", "jcmd", "jstat", "jfr"):
        if not shutil.which(tool):
            sys.exit("%s not found: apt-get install -y tgt qemu-utils qemu-block-extra "
                     "gnuplot-nox, and a JDK" % tool)
    if not os.path.isdir(ASSEMBLY):
        sys.exit("no server at %s: build it with mvn -B -DskipTests install" % ASSEMBLY)
    os.makedirs(args.out, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))
    workdir = tempfile.mkdtemp(prefix="karst-bench-")
    summary = ["# Karst benchmarks, %s\n" % time.strftime("%Y-%m-%d %H:%M"),
               "`bench/run.py %s` on %s, %d CPUs, %s.\n" % (
                   " ".join(sys.argv[1:]), socket.gethostname(), os.cpu_count(),
                   sh("java", "-version", check=False).stderr.splitlines()[0])]
    server = tgt = None
    try:
        alone = [s for s in steps if s in ("jmh", "loopback")]
        for step in alone:
            log(step)
            globals()["step_" + step](args, args.out, summary)
        rest = [s for s in steps if s not in alone]
        if rest:
            server = Server(workdir, args.port, args.out, java_opts=args.java_opts)
            tgt = Tgt(workdir)
            for step in rest:
                log(step)
                globals()["step_" + step](args, args.out, summary, server=server, tgt=tgt,
                                          workdir=workdir)
    finally:
        if tgt:
            tgt.stop()
        if server:
            server.stop()
        with open(os.path.join(args.out, "summary.md"), "w") as f:
            f.write("\n".join(summary))
        shutil.rmtree(workdir, ignore_errors=True)
        if os.path.exists("/dev/shm/karst-bench.img"):
            os.unlink("/dev/shm/karst-bench.img")
    log("results in %s" % os.path.join(args.out, "summary.md"))


if __name__ == "__main__":
    main()

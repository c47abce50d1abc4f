#!/usr/bin/python3
"""The sampler and the report of bench/soak.sh (standard library; the PNG needs Debian's
python3-matplotlib, so run it with /usr/bin/python3).

  soak.py sample OUT.csv SECONDS name=PID... ns:name=PID... log:name=FILE...
      Once a second for SECONDS: VmRSS, open descriptors and CPU time (utime+stime) of each
      process name=PID; the byte and drop counters of every interface in the network namespace
      of each ns:name=PID (read from /proc/PID/net/dev, so nothing is started per sample); how
      many "link up" lines each log:name=FILE holds; how busy the whole machine is
      (/proc/stat). One row per second, counters as cumulative values.

  soak.py report SAMPLES.csv PING.log OUTPREFIX [key=value...]
      Per-second figures (throughput both ways on host A's eth0, RTT and lost pings of the
      5 Hz probe, RSS, descriptors, CPU of each daemon, tap/WAN traffic) into OUTPREFIX.csv, the
      plot into OUTPREFIX.png, the pass/fail summary into OUTPREFIX.md and on stdout. Exit 0
      when every criterion holds, 1 otherwise. Keys: dmesg=FILE (kernel lines logged during
      the run), console=FILE (the VM's serial console), logs=FILE,FILE (the daemons' logs,
      searched for sanitizer reports), iperf_failed=N, title=TEXT, note=TEXT,
      warmup=SECONDS (300), stall_max=SECONDS (2), loss_max=PERCENT (0.1), asan=1 (the daemons
      are an AddressSanitizer build: RSS is shown, not judged).
"""

import csv
import os
import re
import statistics
import sys
import time

STALL_MBIT = 0.1  # below this a direction carries no iperf3 data (the probe alone is ~0.004)
STALL_MAX_S = 2
START_S = 5  # iperf3 connecting: a TCG guest takes about 3 s to accept all of its streams
LOSS_MAX_PCT = 0.1
SLOPE_MAX_MB_H = 1.0
SHORT_GROWTH_KB = 64
SANITIZER = re.compile(r"Sanitizer|runtime error:")
ALARMS = re.compile(r"NETDEV WATCHDOG|hung task|blocked for more than|BUG[: ]|Oops|"
                    r"soft lockup|hard LOCKUP|general protection|Call Trace")


def read_proc(pid):
    """(rss_kb, fds, cpu_ticks) of PID, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/stat") as f:
            st = f.read().rsplit(")", 1)[1].split()
        return rss, fds, int(st[11]) + int(st[12])
    except (OSError, StopIteration, IndexError, ValueError):
        return None


def read_netdev(pid):
    """{ifname: (rx_bytes, rx_drop, tx_bytes, tx_drop)} in PID's network namespace."""
    out = {}
    try:
        with open(f"/proc/{pid}/net/dev") as f:
            for line in f.readlines()[2:]:
                name, rest = line.split(":", 1)
                v = rest.split()
                out[name.strip()] = (int(v[0]), int(v[3]), int(v[8]), int(v[11]))
    except (OSError, ValueError, IndexError):
        pass
    return out


def cpu_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, idle


class LogCounter:
    """Counts "link up" lines in a growing log without rereading it."""

    def __init__(self, path):
        self.path, self.pos, self.count, self.part = path, 0, 0, b""

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return self.count
        self.pos += len(data)
        lines = (self.part + data).split(b"\n")
        self.part = lines.pop()
        self.count += sum(1 for l in lines if b"link up" in l)
        return self.count


def sample(args):
    out, seconds = args[0], float(args[1])
    procs, nets, logs = [], [], []
    for a in args[2:]:
        if a.startswith("ns:"):
            n, p = a[3:].split("=")
            nets.append((n, int(p)))
        elif a.startswith("log:"):
            n, p = a[4:].split("=", 1)
            logs.append((n, LogCounter(p)))
        else:
            n, p = a.split("=")
            procs.append((n, int(p)))
    cols = ["t", "wall", "busy_pct"]
    for n, _ in procs:
        cols += [f"{n}_rss_kb", f"{n}_fds", f"{n}_cpu_ticks"]
    ifcols = []
    for n, p in nets:
        for ifn in sorted(read_netdev(p)):
            if ifn != "lo":
                ifcols.append((n, p, ifn))
                cols += [f"{n}_{ifn}_{c}" for c in ("rx_bytes", "rx_drop", "tx_bytes", "tx_drop")]
    cols += [f"{n}_links_up" for n, _ in logs]
    t0 = time.monotonic()
    b0 = cpu_busy()
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        k = 0
        while True:
            now = time.monotonic() - t0
            b1 = cpu_busy()
            db, di = b1[0] - b0[0], b1[1] - b0[1]
            b0 = b1
            row = [f"{now:.2f}", f"{time.time():.2f}", f"{100 * db / (db + di):.0f}" if db + di else ""]
            for n, p in procs:
                r = read_proc(p)
                row += list(r) if r else ["", "", ""]
            cache = {}
            for n, p, ifn in ifcols:
                if p not in cache:
                    cache[p] = read_netdev(p)
                row += list(cache[p].get(ifn, ("", "", "", "")))
            row += [lc.poll() for _, lc in logs]
            w.writerow(row)
            f.flush()
            k += 1
            if k > seconds:
                break
            time.sleep(max(0.0, t0 + k - time.monotonic()))
    return 0


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    i = min(len(xs) - 1, max(0, int(round(q / 100 * (len(xs) - 1)))))
    return xs[i]


def slope_mb_h(ts, ys_kb):
    """Least-squares slope of ys (kB) over ts (s), in MB per hour."""
    if len(ts) < 2:
        return float("nan")
    mt, my = statistics.fmean(ts), statistics.fmean(ys_kb)
    sxx = sum((t - mt) ** 2 for t in ts)
    if sxx == 0:
        return float("nan")
    sxy = sum((t - mt) * (y - my) for t, y in zip(ts, ys_kb))
    return sxy / sxx * 3600 / 1024


def parse_ping(path, wall0):
    """(replies [(t_rel, seq, rtt_ms)], sent, received, start_rel) from `ping -D -n` output."""
    replies, sent, recv, first = [], 0, 0, None
    rx = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+) .*time=([\d.]+) ms")
    with open(path, errors="replace") as f:
        for line in f:
            m = rx.match(line)
            if m:
                ts, seq, rtt = float(m.group(1)), int(m.group(2)), float(m.group(3))
                replies.append((ts - wall0, seq, rtt))
                if first is None or ts - rtt / 1000 - (seq - 1) * 0.2 < first:
                    first = ts - rtt / 1000 - (seq - 1) * 0.2
            m = re.search(r"(\d+) packets transmitted, (\d+) received", line)
            if m:
                sent, recv = int(m.group(1)), int(m.group(2))
    return replies, sent, recv, (first - wall0) if first is not None else 0.0


def report(args):
    samples, pinglog, prefix = args[0], args[1], args[2]
    opt = dict(a.split("=", 1) for a in args[3:])
    warmup = float(opt.get("warmup", 300))
    stall_max = int(opt.get("stall_max", STALL_MAX_S))
    loss_max = float(opt.get("loss_max", LOSS_MAX_PCT))
    with open(samples) as f:
        rows = list(csv.DictReader(f))
    if len(rows) < 3:
        print("soak: fewer than 3 samples", file=sys.stderr)
        return 1
    daemons = [n for n in ("server", "client") if f"{n}_rss_kb" in rows[0]]
    extra = [c[:-7] for c in rows[0] if c.endswith("_rss_kb") and c[:-7] not in daemons]
    wall0 = float(rows[0]["wall"])
    tick = os.sysconf("SC_CLK_TCK")

    def num(r, c):
        v = r.get(c, "")
        return float(v) if v not in ("", None) else None

    replies, sent, recv, ping_start = parse_ping(pinglog, wall0)
    lost_seqs = set(range(1, sent + 1)) - {s for _, s, _ in replies}
    out_rows = []
    for i in range(1, len(rows)):
        a, b = rows[i - 1], rows[i]
        t0, t1 = float(a["t"]), float(b["t"])
        dt = t1 - t0 or 1.0

        def rate(c):
            x, y = num(a, c), num(b, c)
            return (y - x) * 8 / dt / 1e6 if x is not None and y is not None else None

        def delta(c):
            x, y = num(a, c), num(b, c)
            return int(y - x) if x is not None and y is not None else None

        rtts = [r for (t, _, r) in replies if t0 <= t < t1]
        lost = sum(1 for s in lost_seqs if t0 <= ping_start + (s - 1) * 0.2 < t1)
        o = {"t_s": round(t1), "busy_pct": b["busy_pct"],
             # host A's eth0: tx is A -> B, rx is B -> A (the traffic through the tunnel)
             "a_to_b_mbit": rate("ha_eth0_tx_bytes"), "b_to_a_mbit": rate("ha_eth0_rx_bytes"),
             "rtt_ms_p50": statistics.median(rtts) if rtts else None,
             "rtt_ms_max": max(rtts) if rtts else None, "pings_lost": lost}
        for n in daemons + extra:
            o[f"{n}_rss_kb"] = num(b, f"{n}_rss_kb")
            o[f"{n}_fds"] = num(b, f"{n}_fds")
            c0, c1 = num(a, f"{n}_cpu_ticks"), num(b, f"{n}_cpu_ticks")
            o[f"{n}_cpu_pct"] = (c1 - c0) / tick / dt * 100 if c0 is not None and c1 is not None else None
        for s in ("sa", "sb"):
            for ifn in ("tap0", "wan0"):
                if f"{s}_{ifn}_rx_bytes" in b:
                    o[f"{s}_{ifn}_rx_mbit"] = rate(f"{s}_{ifn}_rx_bytes")
                    o[f"{s}_{ifn}_tx_mbit"] = rate(f"{s}_{ifn}_tx_bytes")
            if f"{s}_tap0_rx_drop" in b:
                o[f"{s}_tap0_drops"] = (delta(f"{s}_tap0_rx_drop") or 0) + (delta(f"{s}_tap0_tx_drop") or 0)
        for c in b:
            if c.endswith("_links_up"):
                o[c] = b[c]
        out_rows.append(o)

    cols = list(out_rows[0].keys())
    with open(prefix + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for o in out_rows:
            w.writerow({k: (f"{v:.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else
                            ("" if v is None else v)) for k, v in o.items()})

    T = out_rows[-1]["t_s"]
    checks = []  # (ok, text)

    # Throughput: the longest run of seconds in which a direction carried (next to) nothing,
    # leaving out iperf3's first START_S seconds (connecting) and the last second (stopping).
    body = [o for o in out_rows if START_S < o["t_s"] <= T - 1]
    run = worst = 0
    worst_at = None
    for o in body:
        z = any(o[k] is None or o[k] < STALL_MBIT for k in ("a_to_b_mbit", "b_to_a_mbit"))
        run = run + 1 if z else 0
        if run > worst:
            worst, worst_at = run, o["t_s"] - run + 1
    both = [o for o in body if o["a_to_b_mbit"] is not None and o["b_to_a_mbit"] is not None]
    tput = {k: [o[k] for o in both] for k in ("a_to_b_mbit", "b_to_a_mbit")}
    tsum = [o["a_to_b_mbit"] + o["b_to_a_mbit"] for o in both]
    checks.append((worst <= stall_max,
                   f"longest stall (a direction under {STALL_MBIT} Mbit/s): {worst} s"
                   + (f" from t={worst_at} s" if worst else "") + f" (limit {stall_max} s)"))

    loss = 100 * (sent - recv) / sent if sent else 100.0
    checks.append((sent > 0 and loss < loss_max,
                   f"ping loss: {sent - recv} of {sent} ({loss:.3f} %, limit under {loss_max:g} %)"))

    for n in daemons:
        c = f"{n}_links_up"
        ups = int(out_rows[-1].get(c) or 0)
        checks.append((ups == 1, f"{n}: 'link up' {ups} time(s): {max(0, ups - 1)} reconnect(s)"))

    iperf_failed = int(opt.get("iperf_failed", "0"))
    checks.append((iperf_failed == 0, f"iperf3 runs that failed or hung: {iperf_failed}"))

    if T >= 2 * warmup:
        lo, how = warmup, f"after the {warmup / 60:.0f}-minute warm-up"
    else:
        lo, how = T / 2, (f"over the second half (t >= {T / 2:.0f} s): the run is shorter than"
                          f" twice the {warmup / 60:.0f}-minute warm-up")
    for n in daemons:
        pts = [(o["t_s"], o[f"{n}_rss_kb"]) for o in out_rows
               if o["t_s"] >= lo and o[f"{n}_rss_kb"] is not None]
        s = slope_mb_h([p[0] for p in pts], [p[1] for p in pts])
        rss = [p[1] for p in pts]
        if not rss:
            checks.append((False, f"{n}: no RSS samples"))
            continue
        # A window under 10 minutes cannot resolve 1 MB/h (17 kB a minute: a few pages) from
        # one-off growth such as a buffer reaching its high-water mark; there, growth of at most
        # SHORT_GROWTH_KB over the window also passes (a per-frame leak grows far faster).
        grew = int(rss[-1] - min(rss))
        short = pts[-1][0] - pts[0][0] < 600
        good = s == s and (abs(s) < SLOPE_MAX_MB_H or (short and grew <= SHORT_GROWTH_KB))
        if opt.get("asan") == "1":
            checks.append((True, f"{n}: RSS not judged in an AddressSanitizer build (its quarantine"
                           f" keeps freed memory, up to 256 MB; LeakSanitizer checks leaks at exit):"
                           f" slope {s:+.1f} MB/h, RSS {min(rss) / 1024:.1f}-{max(rss) / 1024:.1f} MB"))
        else:
            checks.append((good, f"{n}: RSS slope {s:+.3f} MB/h {how} (limit {SLOPE_MAX_MB_H} MB/h"
                           + (f", or at most {SHORT_GROWTH_KB} kB of growth in a window this short"
                              if short else "")
                           + f"); grew {grew} kB in it; RSS {min(rss) / 1024:.1f}-{max(rss) / 1024:.1f} MB"))
        fds = [o[f"{n}_fds"] for o in out_rows if o[f"{n}_fds"] is not None]
        alive = len(fds) == len(out_rows)
        checks.append((alive and fds and min(fds) == max(fds),
                       f"{n}: descriptors {int(min(fds)) if fds else '?'}"
                       + (f"-{int(max(fds))}" if fds and max(fds) != min(fds) else " throughout")
                       + ("" if alive else "; the process ended during the run")))

    alarms = []
    for key in ("dmesg", "console"):
        p = opt.get(key)
        if p and os.path.exists(p):
            with open(p, errors="replace") as f:
                alarms += [f"{key}: {l.rstrip()}" for l in f if ALARMS.search(l)]
    checks.append((not alarms, f"kernel log{' and VM console' if opt.get('console') else ''}: "
                   + (f"{len(alarms)} alarming line(s)" if alarms else "nothing alarming")))

    san = []
    for p in filter(None, opt.get("logs", "").split(",")):
        with open(p, errors="replace") as f:
            san += [f"{os.path.basename(p)}: {l.rstrip()}" for l in f if SANITIZER.search(l)]
    if opt.get("logs"):
        checks.append((not san, "daemon logs: " + (f"{len(san)} sanitizer line(s)" if san else
                                                   "no sanitizer report (they are stopped first)")))
        alarms += san

    rtt_all = [r for (_, _, r) in replies]
    figures = [
        f"duration: {T} s; machine busy (all CPUs, incl. this run): median "
        f"{statistics.median([float(o['busy_pct']) for o in out_rows if o['busy_pct']]):.0f} %",
        "throughput A->B Mbit/s: min {:.0f} median {:.0f} max {:.0f}".format(
            min(tput["a_to_b_mbit"]), statistics.median(tput["a_to_b_mbit"]), max(tput["a_to_b_mbit"]))
        if both else "throughput: no samples",
        "throughput B->A Mbit/s: min {:.0f} median {:.0f} max {:.0f}".format(
            min(tput["b_to_a_mbit"]), statistics.median(tput["b_to_a_mbit"]), max(tput["b_to_a_mbit"]))
        if both else "",
        "throughput both ways Mbit/s: min {:.0f} median {:.0f}".format(min(tsum), statistics.median(tsum))
        if both else "",
        "RTT ms: p50 {:.2f} p99 {:.2f} max {:.2f} ({} replies)".format(
            pct(rtt_all, 50), pct(rtt_all, 99), max(rtt_all), len(rtt_all)) if rtt_all else "RTT: no replies",
    ]
    if T >= 900 and both:
        # Does throughput sag over the run? The last 5 minutes against minutes 5-10 (shown, not
        # judged: on a shared machine other work moves it more than the tunnel does).
        early = [x for o, x in zip(both, tsum) if 300 < o["t_s"] <= 600]
        late = [x for o, x in zip(both, tsum) if o["t_s"] > T - 300]
        if early and late:
            figures.append("throughput both ways, last 5 min against minutes 5-10: {:.0f} / {:.0f}"
                           " Mbit/s = {:.0f} %".format(statistics.fmean(late), statistics.fmean(early),
                                                       100 * statistics.fmean(late) / statistics.fmean(early)))
    for n in daemons + extra:
        cpu = [o[f"{n}_cpu_pct"] for o in out_rows if o.get(f"{n}_cpu_pct") is not None]
        if cpu:
            figures.append(f"{n} CPU %: median {statistics.median(cpu):.0f} max {max(cpu):.0f}")
    drops = sum(o.get(f"{s}_tap0_drops") or 0 for o in out_rows for s in ("sa", "sb"))
    figures.append(f"tap0 drops (both sites, rx+tx): {drops}")
    figures = [x for x in figures if x]

    passed = all(ok for ok, _ in checks)
    title = opt.get("title", "l2vpn soak")
    lines = [f"# {title}: {'PASS' if passed else 'FAIL'}", ""]
    if opt.get("note"):
        lines += [opt["note"], ""]
    lines += ["| result | criterion |", "|---|---|"]
    lines += [f"| {'pass' if ok else '**FAIL**'} | {text} |" for ok, text in checks]
    lines += ["", "Figures:", ""] + [f"- {x}" for x in figures]
    if alarms:
        lines += ["", "Alarming lines:", ""] + [f"    {a}" for a in alarms[:20]]
    lines += ["", f"Per-second data: `{os.path.basename(prefix)}.csv`; plot: `{os.path.basename(prefix)}.png`."]
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    for ok, text in checks:
        print(f"soak: {'pass' if ok else 'FAIL'}: {text}")
    for x in figures:
        print(f"soak: {x}")
    print(f"soak: {'PASS' if passed else 'FAIL'}")

    plot(out_rows, daemons, extra, prefix + ".png", f"{title}: {'PASS' if passed else 'FAIL'}",
         lo, replies, lost_seqs, ping_start)
    return 0 if passed else 1


def rolling(y, w):
    """The mean of each point and the w-1 before it (None values skipped)."""
    out, win = [], []
    for v in y:
        win.append(v)
        if len(win) > w:
            win.pop(0)
        vals = [x for x in win if x is not None]
        out.append(sum(vals) / len(vals) if vals else None)
    return out


def fdlabel(rows, n):
    fds = sorted({int(o[f"{n}_fds"]) for o in rows if o.get(f"{n}_fds") is not None})
    if not fds:
        return ""
    return f" (fds {fds[0]})" if len(fds) == 1 else f" (fds {fds[0]}-{fds[-1]})"


def plot(rows, daemons, extra, path, title, slope_from, replies, lost_seqs, ping_start):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("soak: no matplotlib (python3-matplotlib): no PNG", file=sys.stderr)
        return
    T = rows[-1]["t_s"]
    minutes = T >= 600
    sc = 60.0 if minutes else 1.0
    t = [o["t_s"] / sc for o in rows]
    fig, ax = plt.subplots(4, 1, figsize=(12, 10), sharex=True,
                           gridspec_kw={"height_ratios": [3, 3, 2, 2]})
    fig.suptitle(title, fontsize=13)
    for k, lab, col in (("a_to_b_mbit", "A -> B", "tab:blue"), ("b_to_a_mbit", "B -> A", "tab:orange")):
        y = [o[k] for o in rows]
        ax[0].plot(t, y, lw=0.5 if len(rows) >= 300 else 0.8, alpha=0.45 if len(rows) >= 300 else 1,
                   color=col, label=f"{lab} per s")
        if len(rows) >= 300:
            ax[0].plot(t, rolling(y, 30), lw=1.5, color=col, label=f"{lab} 30 s mean")
    ax[0].set_ylabel("LAN throughput\nMbit/s (per s)")
    ax[0].set_ylim(bottom=0)
    ax[0].legend(loc="lower right", fontsize=8, ncol=2)
    ax[0].grid(alpha=0.3)
    rt = [(tr / sc, r) for (tr, _, r) in replies]
    ax[1].scatter([x for x, _ in rt], [y for _, y in rt], s=1.5, alpha=0.4, color="gray", label="each ping")
    if len(rows) >= 300:  # a line per second is a blur over half an hour: p50 and p99 per 30 s
        bins = {}
        for tr, _, r in replies:
            bins.setdefault(int(tr // 30), []).append(r)
        ks = sorted(bins)
        for q, col in ((50, "tab:blue"), (99, "tab:red")):
            ax[1].step([(k * 30 + 15) / sc for k in ks], [pct(bins[k], q) for k in ks], where="mid",
                       lw=1.2, color=col, label=f"p{q} per 30 s")
    else:
        ax[1].plot(t, [o["rtt_ms_p50"] for o in rows], lw=0.8, color="tab:blue", label="median per s")
    lx = [(ping_start + (s - 1) * 0.2) / sc for s in sorted(lost_seqs)]
    if lx:
        ax[1].scatter(lx, [0.05] * len(lx), marker="x", color="red", s=25, label=f"lost ({len(lx)})",
                      transform=ax[1].get_xaxis_transform())
    ax[1].set_yscale("log")
    ax[1].set_ylabel("ping RTT ms\n(5 Hz, log scale)")
    ax[1].legend(loc="upper right", fontsize=8, ncol=2)
    ax[1].grid(alpha=0.3, which="both")
    for n in daemons:
        ax[2].plot(t, [o[f"{n}_rss_kb"] / 1024 if o[f"{n}_rss_kb"] is not None else None for o in rows],
                   lw=1, label=f"{n} RSS" + fdlabel(rows, n))
    if extra:  # QEMU's RSS is a hundred times the daemons': its own axis, on the right
        ax2 = ax[2].twinx()
        for n in extra:
            ax2.plot(t, [o[f"{n}_rss_kb"] / 1024 if o[f"{n}_rss_kb"] is not None else None for o in rows],
                     lw=0.8, ls="--", color="gray", label=f"{n} RSS (right axis)")
        ax2.set_ylabel("guest RSS MB")
        top = max([o[f"{n}_rss_kb"] for n in extra for o in rows if o[f"{n}_rss_kb"] is not None] or [1024])
        ax2.set_ylim(0, top / 1024 * 1.25)
        ax2.legend(loc="lower left", fontsize=8)
    rss_mb = [o[f"{n}_rss_kb"] / 1024 for n in daemons for o in rows if o[f"{n}_rss_kb"] is not None]
    if rss_mb:  # at least 2 MB of range, so a page or two does not look like a leak
        mid = (min(rss_mb) + max(rss_mb)) / 2
        half = max(1.0, (max(rss_mb) - min(rss_mb)) / 2 * 1.1)
        ax[2].set_ylim(max(0, mid - half), mid + half)
    ax[2].axvline(slope_from / sc, color="gray", ls=":", lw=1)
    ax[2].text(slope_from / sc, 0.95, " slope measured from here", transform=ax[2].get_xaxis_transform(),
               fontsize=7, va="top", color="gray")
    ax[2].set_ylabel("daemon RSS MB")
    ax[2].legend(loc="lower right", fontsize=8)
    ax[2].grid(alpha=0.3)
    for n in daemons + extra:
        y = [o.get(f"{n}_cpu_pct") for o in rows]
        if len(rows) >= 300:
            ax[3].plot(t, rolling(y, 30), lw=1, label=f"{n} CPU % (30 s mean)")
        else:
            ax[3].plot(t, y, lw=0.6, label=f"{n} CPU %")
    ax[3].plot(t, [float(o["busy_pct"]) if o["busy_pct"] else None for o in rows], lw=0.6, color="black",
               alpha=0.5, label="whole machine busy %")
    ax[3].set_ylabel("CPU %")
    ax[3].set_ylim(bottom=0)
    ax[3].legend(loc="lower right", fontsize=8, ncol=4)
    ax[3].grid(alpha=0.3)
    ax[3].set_xlabel("minutes" if minutes else "seconds")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("sample", "report"):
        print(__doc__, file=sys.stderr)
        return 2
    return (sample if sys.argv[1] == "sample" else report)(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())

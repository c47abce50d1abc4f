#!/usr/bin/python3
"""Turn the raw output of bench/run.sh into the comparison table and chart.

Reads from the --raw directory, per variant V: a column (wire, openvpn, l2vpn, tinctcp,
tincudp), alone for the main rows, with "-lzo" for the comp-lzo rows and "-j9k" for the jumbo
rows:
  V.TEST-R.json      iperf3 -J output of run R of TEST (tcp1, tcp4, udp64, lzorand, lzorep, j9k)
  V.TEST-R.cpu       daemon CPU ticks before and after that run
  V.TEST-R.wan       site A's wan0 transmit byte counter before and after that run
  V.TEST-R.udp       host B's "Udp:" lines of /proc/net/snmp before and after that run
  V.idle.ping, V.loadR.ping   ping output (idle; during tcp1 run R)
  V.rss-server, V.rss-client  VmRSS in KiB after the load (one site)
  V.rss-server-idle, V.idle-up  the server's VmRSS with the idle sites on, and how many came up
  V.jping, V.jroute  a 9000-byte DF ping across a jumbo join, and `ip route get` afterwards
and, with --migrate, the JSON that bench/migrate.sh wrote (its figures are shown, not re-measured).
Prints the table, writes PREFIX.md, PREFIX.json and the chart PREFIX.png (matplotlib). --set
KEY=VALUE adds run facts (kernel, versions, ...) to the report. --chart-only --out PREFIX redraws
PREFIX.png from PREFIX.json alone.
"""

import argparse
import datetime
import glob
import json
import math
import os
import re
import statistics
import sys
import textwrap

COLUMNS = ("wire", "openvpn", "l2vpn", "tinctcp", "tincudp")
LABELS = {"wire": "wire", "openvpn": "OpenVPN", "l2vpn": "l2vpn", "tinctcp": "tinc TCP", "tincudp": "tinc UDP"}
# The ratio columns: l2vpn's median divided by each of these.
RATIO_OF = ("openvpn", "tinctcp", "tincudp", "wire")
TCP_TESTS = ("tcp1", "tcp4", "lzorand", "lzorep", "j9k")
# Colours of the systems in the chart (colour-blind friendly).
COLOURS = {"wire": "#999999", "openvpn": "#e69f00", "l2vpn": "#0072b2", "tinctcp": "#009e73", "tincudp": "#cc79a7"}


def load_json(path):
    """The parsed JSON of PATH, or None when it is missing or not JSON."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_text(path):
    """The content of PATH, or "" when it is missing."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def run_names(raw, variant, test):
    """The run names (e.g. "tcp1-2") of TEST for VARIANT, in run order."""
    names = []
    for path in glob.glob(os.path.join(raw, f"{variant}.{test}-*.json")):
        names.append(os.path.basename(path)[len(variant) + 1 : -len(".json")])
    return sorted(names, key=lambda n: int(n.rsplit("-", 1)[1]))


def has_daemon(variant):
    """The wire (and its jumbo twin) has no daemon."""
    return variant.split("-")[0] != "wire"


def cpu_seconds(raw, variant, name, clk_tck):
    """CPU seconds both daemons used during run NAME (None for the wire or when unknown)."""
    if not has_daemon(variant):
        return None
    words = read_text(os.path.join(raw, f"{variant}.{name}.cpu")).split()
    if len(words) != 2 or not all(w.isdigit() for w in words):
        return None  # a daemon was gone before or after the run
    return (int(words[1]) - int(words[0])) / clk_tck


def tcp_run(raw, variant, name, clk_tck):
    """One iperf3 TCP run: receiver throughput, bytes, sender retransmits, daemon CPU, MSS."""
    doc = load_json(os.path.join(raw, f"{variant}.{name}.json"))
    if not doc or "error" in doc or "sum_received" not in doc.get("end", {}):
        err = (doc or {}).get("error", "no iperf3 output")
        return {"run": name, "error": err}
    received = doc["end"]["sum_received"]
    run = {
        "run": name,
        "gbit_per_s": received["bits_per_second"] / 1e9,
        "bytes": received["bytes"],
        "retransmits": doc["end"]["sum_sent"].get("retransmits"),
        "tcp_mss": doc.get("start", {}).get("tcp_mss_default"),
    }
    wan = read_text(os.path.join(raw, f"{variant}.{name}.wan")).split()
    if len(wan) == 2 and all(w.isdigit() for w in wan) and received["bytes"]:
        run["wan_bytes_per_byte"] = (int(wan[1]) - int(wan[0])) / received["bytes"]
    cpu = cpu_seconds(raw, variant, name, clk_tck)
    if cpu is not None:
        run["daemon_cpu_s"] = cpu
        run["cpu_s_per_gbit"] = cpu / (received["bytes"] * 8 / 1e9) if received["bytes"] else None
    return run


def udp_run(raw, variant, name):
    """One iperf3 UDP run: datagrams delivered per second (sent minus lost, by the receiver)."""
    doc = load_json(os.path.join(raw, f"{variant}.{name}.json"))
    if not doc or "error" in doc or "sum" not in doc.get("end", {}):
        err = (doc or {}).get("error", "no iperf3 output")
        return {"run": name, "error": err}
    total = doc["end"]["sum"]
    delivered = total["packets"] - total["lost_packets"]
    run = {
        "run": name,
        "sent_packets": total["packets"],
        "lost_packets": total["lost_packets"],
        "seconds": total["seconds"],
        "delivered_pps": delivered / total["seconds"] if total["seconds"] else None,
    }
    # Host B's UDP stack: what arrived there (read by iperf3, or dropped because its socket
    # buffer was full) tells the join's share from the receiving iperf3's share of the loss.
    rows = [line.split() for line in read_text(os.path.join(raw, f"{variant}.{name}.udp")).splitlines()]
    if len(rows) == 4 and total["seconds"]:
        before, after = (dict(zip(rows[i][1:], map(int, rows[i + 1][1:]))) for i in (0, 2))
        arrived = sum(after[k] - before[k] for k in ("InDatagrams", "RcvbufErrors"))
        run["arrived_pps"] = arrived / total["seconds"]
    return run


def ping_samples(text):
    """RTTs in ms of every reply in ping output TEXT, and the number of requests sent."""
    rtts = [float(m) for m in re.findall(r"time=([0-9.]+) ms", text)]
    sent = re.search(r"(\d+) packets transmitted", text)
    return rtts, int(sent.group(1)) if sent else len(rtts)


def pct(values, q):
    """The Q-quantile (0..1) of VALUES by nearest rank: the smallest value with at least Q of all
    values at or below it (None when empty). With fewer than 100 values p99 is the maximum."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def ping_summary(texts):
    """avg, p50, p99, max and loss over all the ping outputs TEXTS together."""
    rtts, sent = [], 0
    for text in texts:
        r, s = ping_samples(text)
        rtts += r
        sent += s
    if not rtts:
        return {"avg_ms": None, "p50_ms": None, "p99_ms": None, "max_ms": None, "replies": 0, "sent": sent}
    return {
        "avg_ms": statistics.fmean(rtts),
        "p50_ms": pct(rtts, 0.50),
        "p99_ms": pct(rtts, 0.99),
        "max_ms": max(rtts),
        "mdev_ms": statistics.pstdev(rtts),
        "replies": len(rtts),
        "sent": sent,
    }


def spread(values):
    """median, min, max of the non-None VALUES (None when there is none)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def int_file(path):
    """The integer in file PATH, or None."""
    text = read_text(path).strip()
    return int(text) if text.isdigit() else None


def jumbo_probe(raw, variant):
    """What the 9000-byte DF ping met: replies of sent, and the ICMP error or learnt PMTU."""
    text = read_text(os.path.join(raw, f"{variant}.jping"))
    if not text:
        return None
    rtts, sent = ping_samples(text)
    frag = re.search(r"Frag needed and DF set \(mtu = (\d+)\)|message too long, mtu=(\d+)", text)
    route = re.search(r"\bmtu (\d+)", read_text(os.path.join(raw, f"{variant}.jroute")))
    return {
        "replies": len(rtts),
        "sent": sent,
        "frag_needed_mtu": int(next(g for g in frag.groups() if g)) if frag else None,
        "learnt_pmtu": int(route.group(1)) if route else None,
    }


def collect(raw, clk_tck):
    """Everything measured, per variant found in RAW: the runs and their summaries."""
    data = {}
    for col in COLUMNS:
        for suffix in ("", "-lzo", "-j9k"):
            v = col + suffix
            if not glob.glob(os.path.join(raw, f"{v}.*")):
                continue
            runs = {t: [tcp_run(raw, v, n, clk_tck) for n in run_names(raw, v, t)] for t in TCP_TESTS}
            runs["udp64"] = [udp_run(raw, v, n) for n in run_names(raw, v, "udp64")]
            runs = {t: r for t, r in runs.items() if r}
            d = {"runs": runs}
            for t, rs in runs.items():
                if t == "udp64":
                    d["udp64_kpps"] = spread(
                        r["delivered_pps"] / 1e3 if r.get("delivered_pps") is not None else None for r in rs
                    )
                    d["udp64_arrived_kpps"] = spread(
                        r["arrived_pps"] / 1e3 if r.get("arrived_pps") is not None else None for r in rs
                    )
                    continue
                d[f"{t}_gbit_per_s"] = spread(r.get("gbit_per_s") for r in rs)
                d[f"{t}_retransmits"] = spread(r.get("retransmits") for r in rs)
                d[f"{t}_tcp_mss"] = spread(r.get("tcp_mss") for r in rs)
                d[f"{t}_wan_per_byte"] = spread(r.get("wan_bytes_per_byte") for r in rs)
                if has_daemon(v):
                    d[f"{t}_cpu_s_per_gbit"] = spread(r.get("cpu_s_per_gbit") for r in rs)
            d["failed_runs"] = [f"{r['run']}: {r['error']}" for rs in runs.values() for r in rs if "error" in r]
            d["retried_runs"] = [
                os.path.basename(p)[len(v) + 1 : -len(".retried")] + ": " + read_text(p).strip()
                for p in sorted(glob.glob(os.path.join(raw, f"{v}.*.retried")))
            ]
            if os.path.exists(os.path.join(raw, f"{v}.idle.ping")):
                d["rtt_idle"] = ping_summary([read_text(os.path.join(raw, f"{v}.idle.ping"))])
            loads = sorted(glob.glob(os.path.join(raw, f"{v}.load*.ping")))
            if loads:
                d["rtt_load"] = ping_summary([read_text(p) for p in loads])
            if has_daemon(v) and suffix == "":
                d["rss_kib"] = {role: int_file(os.path.join(raw, f"{v}.rss-{role}")) for role in ("server", "client")}
                idle = int_file(os.path.join(raw, f"{v}.rss-server-idle"))
                if idle is not None:
                    d["rss_server_idle_kib"] = idle
                    d["idle_up"] = read_text(os.path.join(raw, f"{v}.idle-up")).strip()
            probe = jumbo_probe(raw, v)
            if probe:
                d["jumbo_probe"] = probe
            data[v] = d
    return data


def rows_of(data, meta):
    """The table rows: (label, better, {column: (value, spread-or-None)}). A value may be text."""
    n_idle = meta.get("idle_sites", "50")

    def from_spread(key, suffix=""):
        out = {}
        test = key.split("_", 1)[0]
        for c in COLUMNS:
            d = data.get(c + suffix)
            s = d.get(key) if d else None
            runs = d["runs"].get(test, []) if d else []
            if s:
                out[c] = (s["median"], (s["min"], s["max"], s["n"]))
            elif runs and all("error" in r for r in runs):
                out[c] = ("failed", None)
            else:
                out[c] = (None, None)
        return out

    def from_ping(key, field):
        return {c: ((data.get(c) or {}).get(key, {}).get(field), None) for c in COLUMNS}

    def rss_total():
        out = {}
        for c in COLUMNS:
            r = (data.get(c) or {}).get("rss_kib")
            out[c] = ((r["server"] + r["client"]) / 1024, None) if r and None not in r.values() else (None, None)
        return out

    def rss_server():
        out = {}
        for c in COLUMNS:
            one = ((data.get(c) or {}).get("rss_kib") or {}).get("server")
            out[c] = (one / 1024 if one is not None else None, None)
        return out

    def rss_idle(per_site):
        out = {}
        for c in COLUMNS:
            d = data.get(c) or {}
            idle, one = d.get("rss_server_idle_kib"), (d.get("rss_kib") or {}).get("server")
            if idle is None or one is None:
                out[c] = (None, None)
            elif per_site:
                out[c] = ((idle - one) / int(n_idle), None)
            else:
                out[c] = (idle / 1024, None)
        return out

    def probe_text():
        out = {}
        for c in COLUMNS:
            p = (data.get(c + "-j9k") or {}).get("jumbo_probe")
            if not p:
                out[c] = (None, None)
                continue
            text = f"{p['replies']}/{p['sent']}"
            if p["frag_needed_mtu"]:
                text += f", ICMP frag needed (mtu {p['frag_needed_mtu']})"
            elif p["replies"] == 0:
                text += ", dropped silently"
            out[c] = (text, None)
        return out

    return [
        ("TCP 1 stream, Gbit/s", "higher", from_spread("tcp1_gbit_per_s")),
        ("TCP 4 streams, Gbit/s", "higher", from_spread("tcp4_gbit_per_s")),
        ("TCP 1 stream, retransmits", "lower", from_spread("tcp1_retransmits")),
        ("TCP 1 stream, WAN bytes per byte delivered", "lower", from_spread("tcp1_wan_per_byte")),
        ("RTT idle p50, ms", "lower", from_ping("rtt_idle", "p50_ms")),
        ("RTT idle p99, ms", "lower", from_ping("rtt_idle", "p99_ms")),
        ("RTT idle max, ms", "lower", from_ping("rtt_idle", "max_ms")),
        ("RTT under load avg, ms", "lower", from_ping("rtt_load", "avg_ms")),
        ("RTT under load p50, ms", "lower", from_ping("rtt_load", "p50_ms")),
        ("RTT under load p99, ms", "lower", from_ping("rtt_load", "p99_ms")),
        ("RTT under load max, ms", "lower", from_ping("rtt_load", "max_ms")),
        ("UDP 64 B delivered, kpps", "higher", from_spread("udp64_kpps")),
        ("UDP 64 B arrived at host B's UDP stack, kpps", "higher", from_spread("udp64_arrived_kpps")),
        ("daemon CPU s per Gbit, 1 stream", "lower", from_spread("tcp1_cpu_s_per_gbit")),
        ("daemon CPU s per Gbit, 4 streams", "lower", from_spread("tcp4_cpu_s_per_gbit")),
        ("daemon RSS server+client, 1 site, MiB", "lower", rss_total()),
        ("server RSS, 1 site, MiB", "lower", rss_server()),
        (f"server RSS, 1 site + {n_idle} idle, MiB", "lower", rss_idle(False)),
        ("server RSS per idle site, KiB", "lower", rss_idle(True)),
        ("comp-lzo: TCP 1 stream, random payload, Gbit/s", "higher", from_spread("lzorand_gbit_per_s", "-lzo")),
        ("comp-lzo: TCP 1 stream, repeating payload, Gbit/s", "higher", from_spread("lzorep_gbit_per_s", "-lzo")),
        ("comp-lzo: WAN bytes per byte delivered, random", "lower", from_spread("lzorand_wan_per_byte", "-lzo")),
        ("comp-lzo: WAN bytes per byte delivered, repeating", "lower", from_spread("lzorep_wan_per_byte", "-lzo")),
        ("comp-lzo: daemon CPU s per Gbit, random", "lower", from_spread("lzorand_cpu_s_per_gbit", "-lzo")),
        ("comp-lzo: daemon CPU s per Gbit, repeating", "lower", from_spread("lzorep_cpu_s_per_gbit", "-lzo")),
        ("MTU 9000: TCP 1 stream, Gbit/s", "higher", from_spread("j9k_gbit_per_s", "-j9k")),
        ("MTU 9000: daemon CPU s per Gbit", "lower", from_spread("j9k_cpu_s_per_gbit", "-j9k")),
        ("MTU 9000: inner TCP MSS, bytes", "—", from_spread("j9k_tcp_mss", "-j9k")),
        ("MTU 9000: 9000-byte DF ping answered", "—", probe_text()),
    ]


def fmt(x):
    """A figure with about three significant digits (whole numbers stay whole)."""
    if x is None:
        return "—"
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer()):
        return f"{x:.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(value, rng):
    """A table cell: the value, and [min–max] when several runs made it."""
    if value is None:
        return "—"
    if value == "failed":
        return "FAILED"
    if isinstance(value, str):
        return value
    if rng and rng[2] > 1:
        return f"{fmt(value)} [{fmt(rng[0])}–{fmt(rng[1])}]"
    return fmt(value)


def ratio(a, b):
    """a/b, or None when either is missing (or text) or b is zero."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return None
    return a / b


def md_table(head, lines):
    """Aligned Markdown table lines."""
    lines = [head] + lines
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return out


def table(rows):
    """The comparison table as aligned Markdown lines, and the ratios per row."""
    head = ["metric", "better"] + [LABELS[c] for c in COLUMNS] + [f"l2vpn/{LABELS[c]}" for c in RATIO_OF]
    lines, ratios = [], {}
    for label, better, vals in rows:
        rs = {c: ratio(vals["l2vpn"][0], vals[c][0]) if better != "—" else None for c in RATIO_OF}
        ratios[label] = {f"l2vpn/{c}": rs[c] for c in RATIO_OF}
        ratios[label]["better"] = better
        lines.append(
            [label, better]
            + [cell(*vals[c]) for c in COLUMNS]
            + [fmt(rs[c]) if rs[c] is not None else "—" for c in RATIO_OF]
        )
    return md_table(head, lines), ratios


MIGRATE_ROWS = (
    "total_time_ms",
    "downtime_ms",
    "lost_pings",
    "longest_gap_ms",
    "answered_after_completed_ms",
    "answered_after_resume_ms",
    "rtt_after.p50_ms",
    "migration_mbit_s",
)


def migrate_table(path):
    """The live-migration figures of bench/migrate.sh's last run (PATH): meta, Markdown lines
    and a summary for the JSON; None when PATH is missing. Nothing is re-measured."""
    doc = load_json(path)
    if not doc or "variants" not in doc:
        return None
    import migrate_report  # bench/migrate_report.py: its row names and its lookup of a key

    cols = ("wire", "openvpn", "l2vpn")
    head = ["metric (bench/migrate.sh)", "better", "wire", "OpenVPN", "l2vpn", "l2vpn/OpenVPN", "l2vpn/wire"]
    done = {v: [r for r in doc["variants"].get(v, {}).get("rounds", []) if r.get("status") == "completed"]
            for v in cols}
    lines = [["migrations completed", "higher"]
             + [f"{len(done[v])}/{len(doc['variants'].get(v, {}).get('rounds', []))}" for v in cols] + ["", ""]]
    summary = {}
    for label, better, key in migrate_report.ROWS:
        if key not in MIGRATE_ROWS:
            continue
        vals = {v: spread(migrate_report.get(r, key) for r in done[v]) for v in cols}
        med = {v: vals[v]["median"] if vals[v] else None for v in cols}
        r_o, r_w = ratio(med["l2vpn"], med["openvpn"]), ratio(med["l2vpn"], med["wire"])
        summary[label] = {"better": better, "l2vpn/openvpn": r_o, "l2vpn/wire": r_w,
                          **{v: vals[v] for v in cols}}
        lines.append([label, better]
                     + [cell(med[v], (vals[v]["min"], vals[v]["max"], vals[v]["n"]) if vals[v] else None)
                        for v in cols]
                     + [fmt(r) if r is not None else "—" for r in (r_o, r_w)])
    return {"meta": doc.get("meta", {}), "lines": md_table(head, lines), "rows": summary}


def markdown(meta, table_lines, data, migrate):
    """The whole report as Markdown text."""
    mode = meta.get("mode", "?")
    n_idle = meta.get("idle_sites", "50")
    n_load = max(0, int(meta.get("duration_s", 10)) - 2) * 10 * int(meta.get("repeats", 1))
    out = [
        "# l2vpn benchmark: wire vs OpenVPN vs l2vpn vs tinc",
        "",
        f"- date: {meta['date']}",
        f"- mode: {mode} ({meta.get('duration_s')} s per iperf3 run, {meta.get('repeats')} run(s) "
        "each, interleaved across the variants; cells are median [min–max]); the run took "
        f"{meta.get('elapsed_s', '?')} s before this report",
        f"- machine: {meta.get('cpu')}, {meta.get('cpus')} CPUs, kernel {meta.get('kernel')}",
        f"- other work: machine {meta.get('busy_before_pct')} % busy in the 3 s before the lab "
        f"started; load average at start / end: {meta.get('load_at_start')} / {meta.get('load_at_end')}",
        f"- l2vpn: {meta.get('l2vpn')} (commit {meta.get('commit')}, buildtype=release)",
        f"- OpenVPN: {meta.get('openvpn')}",
        f"- tinc: {meta.get('tinc')} (Debian package; switch mode, aes-256-cbc + sha256; "
        "TCP = TCPOnly, UDP = its default)",
        f"- OpenSSL: {meta.get('openssl')}",
        f"- iperf3: {meta.get('iperf3')}; inner flows CUBIC (-C cubic), the daemons' outer TCP "
        f"uses the namespace default ({meta.get('outer_cc')}) unless the daemon picks one",
    ]
    if meta.get("note"):
        out.append(f"- note: {meta['note']}")
    out += [
        "",
        "Ratios: l2vpn's median divided by the other's; above 1 is better where `better` says "
        "higher, below 1 where it says lower.",
        "",
    ]
    out += table_lines
    ups = {c: (data.get(c) or {}).get("idle_up") for c in ("l2vpn", "openvpn")}
    out += [
        "",
        "Empty cells:",
        "",
        "- The wire has no daemon, so no CPU or memory figure, and nothing to compress.",
        f"- Idle sites: l2vpn {ups['l2vpn'] or '?'} (bench/idle_sites.py: TLS with their own "
        f"certificates, HELLO, PING/PONG, then idle); OpenVPN {ups['openvpn'] or '?'} (openvpn "
        "clients with `dev null`). tinc was measured with its one peer only: a tinc node is a peer "
        f"among peers, not a server with {n_idle} sites.",
        "- comp-lzo, tinc TCP: tinc 1.0 compresses UDP packets only (`Compression` in "
        "tinc.conf(5)); with TCPOnly its frames are never compressed, so there is no such lab. "
        "tinc UDP runs `Compression = 10` (LZO, fast).",
        "- MTU 9000, tinc: Debian's tincd is built without jumbogram support (frames up to 1518 "
        "bytes); it clamps the MSS of TCP SYNs to its path MTU (ClampMSS, on by default), so the "
        "inner TCP runs with 1500-byte-class segments; see the DF ping row for other traffic.",
        f"- Percentiles are by nearest rank over all samples of a row: {meta.get('idle_pings')} idle pings, "
        f"{n_load} under load per variant; with 100 samples or fewer p99 is the maximum.",
    ]
    if migrate:
        m = migrate["meta"]
        out += [
            "",
            f"## Live migration — from bench/migrate.sh, run of {m.get('date', '?')} (not re-measured here)",
            "",
            f"{m.get('mode', '?')} run, {m.get('rounds', '?')} round(s) per join, bulk flow "
            f"{'on' if m.get('bulk') == '1' else 'off'}; machine {m.get('busy_before_pct', '?')} % busy "
            f"before it started; l2vpn commit {m.get('commit', '?')}. tinc was not part of that run. "
            "Full figures: bench/results/migrate-latest.md.",
            "",
        ]
        out += migrate["lines"]
    out += ["", "## Details", ""]
    for v, d in data.items():
        out.append(f"### {v}")
        out.append("")
        for test, runs in d["runs"].items():
            if test == "udp64":
                vals = ", ".join(
                    f"{r['delivered_pps'] / 1e3:.1f} kpps ({r['lost_packets']}/{r['sent_packets']} lost)"
                    if r.get("delivered_pps") is not None
                    else "failed"
                    for r in runs
                )
            else:
                vals = ", ".join(
                    f"{r['gbit_per_s']:.2f} Gbit/s ({r['retransmits']} retr"
                    + (f", {r['daemon_cpu_s']:.2f} CPU-s" if "daemon_cpu_s" in r else "")
                    + (f", MSS {r['tcp_mss']}" if r.get("tcp_mss") and test == "j9k" else "")
                    + ")"
                    if "gbit_per_s" in r
                    else "failed"
                    for r in runs
                )
            out.append(f"- {test}: {vals}")
        for key, what in (("rtt_idle", "ping idle"), ("rtt_load", "ping under load")):
            if key in d:
                p = d[key]
                out.append(f"- {what}: {p['replies']}/{p['sent']} replies")
        if "rss_kib" in d:
            out.append(f"- VmRSS after load: server {d['rss_kib']['server']} KiB, client {d['rss_kib']['client']} KiB")
        if "rss_server_idle_kib" in d:
            out.append(f"- server VmRSS with the idle sites: {d['rss_server_idle_kib']} KiB ({d.get('idle_up')})")
        if "jumbo_probe" in d:
            p = d["jumbo_probe"]
            out.append(
                f"- 9000-byte DF ping: {p['replies']}/{p['sent']} answered"
                + (f", ICMP fragmentation needed with mtu {p['frag_needed_mtu']}" if p["frag_needed_mtu"] else "")
                + (f"; host A's PMTU to host B afterwards: {p['learnt_pmtu']}" if p["learnt_pmtu"] else "")
            )
        for f in d["retried_runs"]:
            out.append(f"- started a second time (the first iperf3 never started) {f}")
        for f in d["failed_runs"]:
            out.append(f"- FAILED {f}")
        out.append("")
    out.append("See bench/README.md for what each row measures and the caveats. Chart: latest.png.")
    return "\n".join(out) + "\n"


def chart(path, rows, meta):
    """The comparison as a PNG: six panels of grouped bars, each bar labelled with its median and
    showing [min–max] as an error bar where there were several runs."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print(f"report.py: no chart ({e}); Debian: python3-matplotlib", file=sys.stderr)
        return False
    by_label = {label: vals for label, _, vals in rows}
    n_idle = meta.get("idle_sites", "50")

    def bars(ax, groups, cols, norm=None, log=False, unit=""):
        """Bars per column of COLS for each (group name, row label) of GROUPS; with NORM, every
        value divided by that column's value in the same row."""
        width = 0.8 / len(cols)
        top, bottom = 0, None
        for i, c in enumerate(cols):
            xs, ys, lo, hi, texts = [], [], [], [], []
            for g, (gname, label) in enumerate(groups):
                val, rng = by_label[label][c]
                if not isinstance(val, (int, float)):
                    continue
                scale = 1.0
                if norm:
                    ref = by_label[label][norm][0]
                    if not isinstance(ref, (int, float)) or ref == 0:
                        continue
                    scale = 1.0 / ref
                y = val * scale
                xs.append(g + (i - (len(cols) - 1) / 2) * width)
                ys.append(y)
                lo.append(y - rng[0] * scale if rng and rng[2] > 1 else 0)
                hi.append(rng[1] * scale - y if rng and rng[2] > 1 else 0)
                texts.append(fmt(val))
                top = max(top, y + hi[-1])
                if y - lo[-1] > 0:
                    bottom = min(bottom, y - lo[-1]) if bottom is not None else y - lo[-1]
            if not xs:
                continue
            ax.bar(xs, ys, width, label=LABELS[c], color=COLOURS[c],
                   yerr=[lo, hi] if any(lo) or any(hi) else None, capsize=2, error_kw={"lw": 0.8})
            for x, y, h, t in zip(xs, ys, hi, texts):
                ax.annotate(t, (x, y + h), xytext=(0, 3), textcoords="offset points", ha="center",
                            va="bottom", fontsize=6.5, rotation=90)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([g for g, _ in groups], fontsize=8)
        if log:
            ax.set_yscale("log")
            if top and bottom:
                ax.set_ylim(bottom / 2.5, top * 8)
        else:
            ax.set_ylim(0, top * 1.3 if top else 1)
        ax.grid(axis="y", lw=0.3, alpha=0.6)
        ax.tick_params(axis="y", labelsize=8)

    fig, axes = plt.subplots(2, 3, figsize=(16, 9.5))
    systems = list(COLUMNS)
    vpns = [c for c in COLUMNS if c != "wire"]
    bars(axes.flat[0], [("TCP 1 stream", "TCP 1 stream, Gbit/s"), ("TCP 4 streams", "TCP 4 streams, Gbit/s"),
                   ("UDP 64 B frames", "UDP 64 B delivered, kpps")], systems, norm="wire", log=True)
    axes.flat[0].set_title("Throughput as a share of the wire (log)\nlabels: median Gbit/s, kpps for UDP; higher is better",
                           fontsize=9)
    bars(axes.flat[1], [("idle p50", "RTT idle p50, ms"), ("load p50", "RTT under load p50, ms"),
                        ("load p99", "RTT under load p99, ms"), ("load max", "RTT under load max, ms")],
         systems, log=True)
    axes.flat[1].set_title("Ping RTT, ms (log); under load = during 1 CUBIC stream\nlower is better", fontsize=9)
    bars(axes.flat[2], [("1 stream", "daemon CPU s per Gbit, 1 stream"),
                        ("4 streams", "daemon CPU s per Gbit, 4 streams"),
                        ("lzo, repeating", "comp-lzo: daemon CPU s per Gbit, repeating")], vpns, log=True)
    axes.flat[2].set_title("Both daemons' CPU seconds per Gbit delivered (log)\nlower is better", fontsize=9)
    bars(axes.flat[3], [("server, 1 site", "server RSS, 1 site, MiB"),
                        (f"server, 1 + {n_idle} idle sites", f"server RSS, 1 site + {n_idle} idle, MiB")], vpns)
    axes.flat[3].set_title("Server's memory (VmRSS), MiB; lower is better\ntinc: the listening node, one peer only",
                           fontsize=9)
    bars(axes.flat[4], [("random payload", "comp-lzo: TCP 1 stream, random payload, Gbit/s"),
                        ("repeating payload", "comp-lzo: TCP 1 stream, repeating payload, Gbit/s")],
         vpns, log=True)
    axes.flat[4].set_title("comp-lzo at both ends, TCP 1 stream, Gbit/s (log)\ntinc: UDP with Compression = 10 only",
                           fontsize=9)
    bars(axes.flat[5], [("MTU 1500", "TCP 1 stream, Gbit/s"), ("MTU 9000", "MTU 9000: TCP 1 stream, Gbit/s")],
         systems, log=True)
    axes.flat[5].set_title("TCP 1 stream, Gbit/s (log), LAN MTU 1500 vs 9000\ntinc clamps the MSS to 1500-class",
                           fontsize=9)
    title = (f"l2vpn bench/run.sh, {meta.get('mode')} mode, {meta['date']}: medians of "
             f"{meta.get('repeats')} interleaved run(s) of {meta.get('duration_s')} s, error bars [min–max]; "
             f"{meta.get('cpus')} CPUs shared with other work")
    if meta.get("note"):
        title += "\n" + textwrap.fill(meta["note"], 210)
    extra = 0.016 * (title.count("\n") - 1)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.958 - extra), ncol=len(labels),
               fontsize=9, frameon=False)
    fig.suptitle(title, fontsize=9.5, y=0.995)
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.05, top=0.958 - extra - 0.07, hspace=0.3, wspace=0.16)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", help="bench/run.sh's raw output (required unless --chart-only)")
    ap.add_argument("--out", required=True, help="output prefix: writes PREFIX.md, PREFIX.json, PREFIX.png")
    ap.add_argument("--migrate", help="bench/migrate.sh's JSON, whose figures the report shows")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--chart-only", action="store_true",
                    help="only redraw PREFIX.png from the rows and meta of an existing PREFIX.json")
    args = ap.parse_args()
    if args.chart_only:
        doc = load_json(args.out + ".json")
        if not doc or "rows" not in doc:
            sys.exit(f"report.py: {args.out}.json has no rows")
        rows = [(r["metric"], r["better"],
                 {c: (v["value"], tuple(v["min_max_n"]) if v["min_max_n"] else None) for c, v in r["cells"].items()})
                for r in doc["rows"]]
        return 0 if chart(args.out + ".png", rows, doc["meta"]) else 1
    if not args.raw:
        ap.error("--raw is required")

    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    for kv in args.set:
        key, _, value = kv.partition("=")
        meta[key] = value
    clk_tck = int(meta.get("clk_tck") or 100)

    data = collect(args.raw, clk_tck)
    rows = rows_of(data, meta)
    table_lines, ratios = table(rows)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    migrate = migrate_table(args.migrate) if args.migrate else None
    md = markdown(meta, table_lines, data, migrate)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write(md)
    doc = {
        "meta": meta,
        "ratios": ratios,
        "rows": [
            {"metric": label, "better": better,
             "cells": {c: {"value": v, "min_max_n": list(r) if r else None} for c, (v, r) in vals.items()}}
            for label, better, vals in rows
        ],
        "variants": data,
    }
    if migrate:
        doc["migrate"] = {"source": os.path.basename(args.migrate), "meta": migrate["meta"], "rows": migrate["rows"]}
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    png = chart(args.out + ".png", rows, meta)

    print("\n".join(table_lines))
    if migrate:
        print("\n" + "\n".join(migrate["lines"]))
    failed = sum(len(d["failed_runs"]) for d in data.values())
    print(f"\nwritten: {args.out}.md, {args.out}.json" + (f", {args.out}.png" if png else "")
          + (f" ({failed} run(s) FAILED)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

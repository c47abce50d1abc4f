#!/usr/bin/env python3
"""Turn the raw output of bench/run.sh into the comparison table.

Reads, per variant V (wire, openvpn, l2vpn), from the --raw directory:
  V.tcp1-R.json, V.tcp4-R.json, V.udp64-R.json   iperf3 -J output of run R
  V.NAME.cpu                                     daemon CPU ticks before and after that run
  V.idle.ping, V.loadR.ping                      ping output (idle; during tcp1 run R)
  V.rss-server, V.rss-client                     VmRSS in KiB after the load
Prints the table, writes PREFIX.md and PREFIX.json. --set KEY=VALUE adds run facts (kernel,
versions, ...) to both.
"""

import argparse
import datetime
import glob
import json
import os
import re
import statistics
import sys

VARIANTS = ("wire", "openvpn", "l2vpn")
LABELS = {"wire": "wire", "openvpn": "OpenVPN", "l2vpn": "l2vpn"}


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


def cpu_seconds(raw, variant, name, clk_tck):
    """CPU seconds both daemons used during run NAME (None for the wire or when unknown)."""
    if variant == "wire":
        return None
    words = read_text(os.path.join(raw, f"{variant}.{name}.cpu")).split()
    if len(words) != 2 or not all(w.isdigit() for w in words):
        return None  # a daemon was gone before or after the run
    return (int(words[1]) - int(words[0])) / clk_tck


def tcp_run(raw, variant, name, clk_tck):
    """One iperf3 TCP run: receiver throughput, bytes, sender retransmits, daemon CPU."""
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
    }
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
    return {
        "run": name,
        "sent_packets": total["packets"],
        "lost_packets": total["lost_packets"],
        "seconds": total["seconds"],
        "delivered_pps": delivered / total["seconds"] if total["seconds"] else None,
    }


def ping_samples(text):
    """RTTs in ms of every reply in ping output TEXT, and the number of requests sent."""
    rtts = [float(m) for m in re.findall(r"time=([0-9.]+) ms", text)]
    sent = re.search(r"(\d+) packets transmitted", text)
    return rtts, int(sent.group(1)) if sent else len(rtts)


def ping_summary(texts):
    """avg/max/loss over all the ping outputs TEXTS together (None when there is no reply)."""
    rtts, sent = [], 0
    for text in texts:
        r, s = ping_samples(text)
        rtts += r
        sent += s
    if not rtts:
        return {"avg_ms": None, "max_ms": None, "replies": 0, "sent": sent}
    return {
        "avg_ms": statistics.fmean(rtts),
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


def collect(raw, clk_tck):
    """Everything measured, per variant: the runs and their summaries."""
    data = {}
    for v in VARIANTS:
        tcp1 = [tcp_run(raw, v, n, clk_tck) for n in run_names(raw, v, "tcp1")]
        tcp4 = [tcp_run(raw, v, n, clk_tck) for n in run_names(raw, v, "tcp4")]
        udp = [udp_run(raw, v, n) for n in run_names(raw, v, "udp64")]
        loads = sorted(glob.glob(os.path.join(raw, f"{v}.load*.ping")))
        d = {
            "runs": {"tcp1": tcp1, "tcp4": tcp4, "udp64": udp},
            "tcp1_gbit_per_s": spread(r.get("gbit_per_s") for r in tcp1),
            "tcp4_gbit_per_s": spread(r.get("gbit_per_s") for r in tcp4),
            "tcp1_retransmits": spread(r.get("retransmits") for r in tcp1),
            "tcp4_retransmits": spread(r.get("retransmits") for r in tcp4),
            "udp64_kpps": spread(
                r["delivered_pps"] / 1e3 if r.get("delivered_pps") is not None else None for r in udp
            ),
            "rtt_idle": ping_summary([read_text(os.path.join(raw, f"{v}.idle.ping"))]),
            "rtt_load": ping_summary([read_text(p) for p in loads]),
            "failed_runs": [r["run"] + ": " + str(r["error"]) for r in tcp1 + tcp4 + udp if "error" in r],
        }
        if v != "wire":
            d["tcp1_cpu_s_per_gbit"] = spread(r.get("cpu_s_per_gbit") for r in tcp1)
            d["tcp4_cpu_s_per_gbit"] = spread(r.get("cpu_s_per_gbit") for r in tcp4)
            rss = {}
            for role in ("server", "client"):
                text = read_text(os.path.join(raw, f"{v}.rss-{role}")).strip()
                rss[role] = int(text) if text.isdigit() else None
            d["rss_kib"] = rss
        data[v] = d
    return data


def rows_of(data):
    """The table rows: (label, better, {variant: (value, spread-or-None)})."""

    def from_spread(key):
        out = {}
        for v in VARIANTS:
            s = data[v].get(key)
            runs = data[v]["runs"].get(key.split("_", 1)[0], [])
            if s:
                out[v] = (s["median"], (s["min"], s["max"], s["n"]))
            elif runs and all("error" in r for r in runs):
                out[v] = ("failed", None)
            else:
                out[v] = (None, None)
        return out

    def from_ping(key, field):
        return {v: (data[v][key][field], None) for v in VARIANTS}

    def rss_total():
        out = {"wire": (None, None)}
        for v in ("openvpn", "l2vpn"):
            r = data[v]["rss_kib"]
            out[v] = ((r["server"] + r["client"]) / 1024, None) if None not in r.values() else (None, None)
        return out

    return [
        ("TCP 1 stream, Gbit/s", "higher", from_spread("tcp1_gbit_per_s")),
        ("TCP 4 streams, Gbit/s", "higher", from_spread("tcp4_gbit_per_s")),
        ("TCP 1 stream, retransmits", "lower", from_spread("tcp1_retransmits")),
        ("RTT idle avg, ms", "lower", from_ping("rtt_idle", "avg_ms")),
        ("RTT idle max, ms", "lower", from_ping("rtt_idle", "max_ms")),
        ("RTT under load avg, ms", "lower", from_ping("rtt_load", "avg_ms")),
        ("RTT under load max, ms", "lower", from_ping("rtt_load", "max_ms")),
        ("UDP 64 B delivered, kpps", "higher", from_spread("udp64_kpps")),
        ("daemon CPU s per Gbit, 1 stream", "lower", from_spread("tcp1_cpu_s_per_gbit")),
        ("daemon CPU s per Gbit, 4 streams", "lower", from_spread("tcp4_cpu_s_per_gbit")),
        ("daemon RSS server+client, MiB", "lower", rss_total()),
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
    if rng and rng[2] > 1:
        return f"{fmt(value)} [{fmt(rng[0])}–{fmt(rng[1])}]"
    return fmt(value)


def ratio(a, b):
    """a/b as text, or — when either is missing or b is zero."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return None
    return a / b


def table(rows):
    """The comparison table as aligned Markdown lines, and the ratios per row."""
    head = ["metric", "better", "wire", "OpenVPN", "l2vpn", "l2vpn/OpenVPN", "l2vpn/wire"]
    lines, ratios = [head], {}
    for label, better, vals in rows:
        r_ovpn = ratio(vals["l2vpn"][0], vals["openvpn"][0])
        r_wire = ratio(vals["l2vpn"][0], vals["wire"][0])
        ratios[label] = {"l2vpn/openvpn": r_ovpn, "l2vpn/wire": r_wire, "better": better}
        lines.append(
            [label, better]
            + [cell(*vals[v]) for v in VARIANTS]
            + [fmt(r_ovpn) if r_ovpn is not None else "—", fmt(r_wire) if r_wire is not None else "—"]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return out, ratios


def markdown(meta, table_lines, data):
    """The whole report as Markdown text."""
    mode = meta.get("mode", "?")
    out = [
        "# l2vpn benchmark: wire vs OpenVPN vs l2vpn",
        "",
        f"- date: {meta['date']}",
        f"- mode: {mode} ({meta.get('duration_s')} s per iperf3 run, {meta.get('repeats')} run(s) "
        "each, interleaved across the variants; cells are median [min–max])",
        f"- machine: {meta.get('cpu')}, {meta.get('cpus')} CPUs, kernel {meta.get('kernel')}",
        f"- other work: machine {meta.get('busy_before_pct')} % busy in the 3 s before the lab "
        f"started; load average at start / end: {meta.get('load_at_start')} / {meta.get('load_at_end')}",
        f"- l2vpn: {meta.get('l2vpn')} (commit {meta.get('commit')}, buildtype=release)",
        f"- OpenVPN: {meta.get('openvpn')}",
        f"- OpenSSL: {meta.get('openssl')}",
        f"- iperf3: {meta.get('iperf3')}; inner flows CUBIC (-C cubic), the daemons' outer TCP "
        f"uses the namespace default ({meta.get('outer_cc')}) unless the daemon picks one",
    ]
    if meta.get("note"):
        out.append(f"- note: {meta['note']}")
    out += ["", "Ratios: above 1 is better where `better` says higher, below 1 where it says lower.", ""]
    out += table_lines
    out += ["", "## Details", ""]
    for v in VARIANTS:
        d = data[v]
        out.append(f"### {LABELS[v]}")
        out.append("")
        for test in ("tcp1", "tcp4"):
            runs = d["runs"][test]
            vals = ", ".join(
                f"{r['gbit_per_s']:.2f} Gbit/s ({r['retransmits']} retr"
                + (f", {r['daemon_cpu_s']:.2f} CPU-s" if "daemon_cpu_s" in r else "")
                + ")"
                if "gbit_per_s" in r
                else "failed"
                for r in runs
            )
            out.append(f"- {test}: {vals}")
        udp = ", ".join(
            f"{r['delivered_pps'] / 1e3:.1f} kpps ({r['lost_packets']}/{r['sent_packets']} lost)"
            if r.get("delivered_pps") is not None
            else "failed"
            for r in d["runs"]["udp64"]
        )
        out.append(f"- udp64: {udp}")
        for key, what in (("rtt_idle", "ping idle"), ("rtt_load", "ping under load")):
            p = d[key]
            out.append(f"- {what}: {p['replies']}/{p['sent']} replies")
        if "rss_kib" in d:
            out.append(f"- VmRSS after load: server {d['rss_kib']['server']} KiB, client {d['rss_kib']['client']} KiB")
        for f in d["failed_runs"]:
            out.append(f"- FAILED {f}")
        out.append("")
    out.append("See bench/README.md for what each row measures and the caveats.")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True, help="output prefix: writes PREFIX.md and PREFIX.json")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()

    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    for kv in args.set:
        key, _, value = kv.partition("=")
        meta[key] = value
    clk_tck = int(meta.get("clk_tck") or 100)

    data = collect(args.raw, clk_tck)
    table_lines, ratios = table(rows_of(data))
    md = markdown(meta, table_lines, data)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write(md)
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "ratios": ratios, "variants": data}, f, indent=1, sort_keys=True)
        f.write("\n")

    print("\n".join(table_lines))
    failed = sum(len(data[v]["failed_runs"]) for v in VARIANTS)
    print(f"\nwritten: {args.out}.md, {args.out}.json" + (f" ({failed} run(s) FAILED)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

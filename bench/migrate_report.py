#!/usr/bin/python3
"""Figures of live migrations across the join, from the raw output of bench/migrate.sh.

  migrate_report.py round PING.log MIGRATE.json [BULK]
      The figures of one migration as JSON on stdout (tests/netns/vm_migration.sh uses it):
      PING.log is `ping -D -n -i 0.02` from site A's LAN host to the guest, running from before
      the migrate command to after the end; MIGRATE.json is what `bench/qmp.py migrate` wrote;
      BULK (optional) holds "BYTES SECONDS" that a bulk flow delivered during the migration.

  migrate_report.py report --raw DIR --out PREFIX [--set KEY=VALUE ...]
      Reads DIR/V.R.ping, DIR/V.R.migrate.json and DIR/V.R.bulk for every variant V (wire,
      openvpn, l2vpn) and round R, prints the comparison table (medians over the rounds,
      [min–max], ratios l2vpn/OpenVPN and l2vpn/wire) and writes PREFIX.md and PREFIX.json.
      Exit 1 when a migration did not complete.

Per migration:
  lost pings       icmp_seq numbers without a reply, from the last request answered before the
                   migrate command to the last reply (3 s after the migration ended)
  longest gap      the longest time between two consecutive replies (by ping -D arrival time)
                   in that window: how long the LAN host heard nothing from the guest
  answered after   from QEMU's "completed" to the first reply to a request sent after the
                   source paused the guest (so it came from the destination); "after resume"
                   counts from the destination's RESUME event instead: the network's part
                   (the guest's announcement crossing the join, the bridges and the VPN's MAC
                   table learning it) plus up to one ping interval
  RTT during       replies to requests sent between the migrate command and "completed"
  RTT after        replies to requests sent in the 2 s after "completed" (through the join)
"""

import argparse
import datetime
import json
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import cell, fmt, ratio, spread  # noqa: E402  (bench/report.py, the same formats)

VARIANTS = ("wire", "openvpn", "l2vpn")
LABELS = {"wire": "wire", "openvpn": "OpenVPN", "l2vpn": "l2vpn"}
REPLY = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from [^:]+: icmp_seq=(\d+) ttl=\d+ time=([0-9.]+) ms")


def pct(values, q):
    """The Q-quantile of VALUES by nearest rank (None when empty)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def parse_ping(path):
    """(arrival time, icmp_seq, rtt ms) of every reply, duplicates left out, in arrival order."""
    replies, seen = [], set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = REPLY.match(line)
            if not m or "DUP!" in line:
                continue
            seq = int(m.group(2))
            if seq in seen:
                continue
            seen.add(seq)
            replies.append((float(m.group(1)), seq, float(m.group(3))))
    return replies


def one_round(ping_path, migrate_path, bulk_path=None):
    """The figures of one migration (see the module's docstring)."""
    with open(migrate_path, encoding="utf-8") as f:
        mig = json.load(f)
    q = mig.get("query_migrate") or {}
    ram = q.get("ram") or {}
    r = {
        "status": mig.get("status"),
        "total_time_ms": q.get("total-time"),
        "downtime_ms": q.get("downtime"),
        "setup_time_ms": q.get("setup-time"),
        "ram_transferred_mb": ram["transferred"] / 1e6 if "transferred" in ram else None,
        "migration_mbit_s": ram.get("mbps"),
        "dirty_sync_count": ram.get("dirty-sync-count"),
    }
    t_start, t_stop, t_done = mig.get("t_start"), mig.get("t_stop"), mig.get("t_completed")
    if t_done and mig.get("t_resume"):
        r["resume_after_completed_ms"] = (mig["t_resume"] - t_done) * 1e3

    replies = parse_ping(ping_path)
    if replies:
        # Loss and gaps count from the migrate command on: from the last request answered
        # before it (a stall of the busy machine before the migration is not the migration's).
        before = [s for t, s, rtt in replies if t_start and t - rtt / 1e3 < t_start]
        s0 = max(before) if before else min(s for _, s, _ in replies) - 1
        window = [x for x in replies if x[1] >= s0]
        seqs = sorted(s for _, s, _ in window if s > s0)
        r["pings_expected"] = seqs[-1] - s0 if seqs else 0
        r["pings_answered"] = len(seqs)
        r["lost_pings"] = r["pings_expected"] - len(seqs)
        gap, gap_at = 0.0, None
        for (t0, _, _), (t1, _, _) in zip(window, window[1:]):
            if t1 - t0 > gap:
                gap, gap_at = t1 - t0, t0
        r["longest_gap_ms"] = gap * 1e3
        if gap_at is not None and t_start:
            r["longest_gap_starts_ms"] = (gap_at - t_start) * 1e3  # relative to the migrate command
        # A request's send time: its reply's arrival minus its RTT.
        sent = [(t - rtt / 1e3, t, rtt) for t, _, rtt in replies]
        if t_start and t_done:
            during = [rtt for s, _, rtt in sent if t_start <= s <= t_done]
            after = [rtt for s, _, rtt in sent if t_done < s <= t_done + 2]
            r["rtt_during"] = {"n": len(during), "p50_ms": pct(during, 0.5),
                               "p99_ms": pct(during, 0.99), "max_ms": max(during, default=None)}
            r["rtt_after"] = {"n": len(after), "p50_ms": pct(after, 0.5),
                              "max_ms": max(after, default=None)}
        if t_done and t_stop:
            first = [t for s, t, _ in sent if s > t_stop]
            if first:
                r["answered_after_completed_ms"] = (min(first) - t_done) * 1e3
                if mig.get("t_resume"):
                    r["answered_after_resume_ms"] = (min(first) - mig["t_resume"]) * 1e3
    if bulk_path and os.path.exists(bulk_path):
        words = open(bulk_path, encoding="utf-8").read().split()
        if len(words) == 2 and float(words[1]) > 0:
            r["bulk_mbit_s"] = int(words[0]) * 8 / float(words[1]) / 1e6
    return r


def collect(raw):
    """Every round's figures per variant, in round order."""
    data = {}
    for v in VARIANTS:
        rounds = []
        n = 1
        while os.path.exists(os.path.join(raw, f"{v}.{n}.migrate.json")):
            p = os.path.join(raw, f"{v}.{n}")
            try:
                rounds.append(one_round(p + ".ping", p + ".migrate.json", p + ".bulk"))
            except (OSError, ValueError) as e:
                rounds.append({"status": f"unreadable: {e}"})
            n += 1
        data[v] = {"rounds": rounds}
    return data


def get(r, key):
    """R[key], or R[a][b] for key "a.b" (None when missing)."""
    for k in key.split("."):
        if not isinstance(r, dict):
            return None
        r = r.get(k)
    return r


ROWS = [
    ("migration total time, ms", "lower", "total_time_ms"),
    ("downtime (QEMU), ms", "lower", "downtime_ms"),
    ("lost pings (50 Hz)", "lower", "lost_pings"),
    ("longest ping gap, ms", "lower", "longest_gap_ms"),
    ("answered after completed, ms", "lower", "answered_after_completed_ms"),
    ("answered after resume at B, ms", "lower", "answered_after_resume_ms"),
    ("RTT during migration p50, ms", "lower", "rtt_during.p50_ms"),
    ("RTT during migration p99, ms", "lower", "rtt_during.p99_ms"),
    ("RTT during migration max, ms", "lower", "rtt_during.max_ms"),
    ("RTT after switchover p50, ms", "lower", "rtt_after.p50_ms"),
    ("migration stream, Mbit/s", "higher", "migration_mbit_s"),
    ("RAM sent, MB", "—", "ram_transferred_mb"),
    ("bulk flow during migration, Mbit/s", "higher", "bulk_mbit_s"),
]


def summarize(data):
    """Medians per row and variant over the completed rounds; the table lines and ratios."""
    head = ["metric", "better", "wire", "OpenVPN", "l2vpn", "l2vpn/OpenVPN", "l2vpn/wire"]
    lines, ratios, medians = [head], {}, {}
    done = {v: [r for r in data[v]["rounds"] if r.get("status") == "completed"] for v in VARIANTS}
    lines.append(["migrations completed", "higher"] +
                 [f"{len(done[v])}/{len(data[v]['rounds'])}" for v in VARIANTS] + ["", ""])
    for label, better, key in ROWS:
        vals = {v: spread(get(r, key) for r in done[v]) for v in VARIANTS}
        if all(s is None for s in vals.values()):
            continue
        med = {v: (vals[v]["median"] if vals[v] else None) for v in VARIANTS}
        medians[key] = med
        r_ovpn = ratio(med["l2vpn"], med["openvpn"])
        r_wire = ratio(med["l2vpn"], med["wire"])
        ratios[label] = {"l2vpn/openvpn": r_ovpn, "l2vpn/wire": r_wire, "better": better}
        lines.append([label, better] +
                     [cell(med[v], (vals[v]["min"], vals[v]["max"], vals[v]["n"]) if vals[v] else None)
                      for v in VARIANTS] +
                     [fmt(r_ovpn) if r_ovpn is not None else "—",
                      fmt(r_wire) if r_wire is not None else "—"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return out, ratios, medians


def markdown(meta, table_lines, data):
    out = [
        "# l2vpn benchmark: live migration of a QEMU guest across the join",
        "",
        f"- date: {meta['date']}",
        f"- mode: {meta.get('mode')} ({meta.get('rounds')} round(s) per join, interleaved; "
        "cells are median [min–max] over the completed rounds)",
        f"- guest: {meta.get('guest')}",
        f"- migration: {meta.get('migration')}",
        f"- load: {meta.get('load')}",
        f"- machine: {meta.get('cpu')}, {meta.get('cpus')} CPUs, kernel {meta.get('kernel')}",
        f"- other work: machine {meta.get('busy_before_pct')} % busy in the 3 s before the lab "
        f"started; load average at start / end: {meta.get('load_at_start')} / {meta.get('load_at_end')}",
        f"- l2vpn: {meta.get('l2vpn')} (commit {meta.get('commit')}, buildtype=release)",
        f"- OpenVPN: {meta.get('openvpn')}",
        f"- QEMU: {meta.get('qemu')}",
    ]
    if meta.get("note"):
        out.append(f"- note: {meta['note']}")
    out += ["", "Ratios: above 1 is better where `better` says higher, below 1 where it says lower.", ""]
    out += table_lines
    out += ["", "## Rounds", ""]
    for v in VARIANTS:
        out.append(f"### {LABELS[v]}")
        out.append("")
        for i, r in enumerate(data[v]["rounds"], 1):
            if r.get("status") != "completed":
                out.append(f"- round {i}: {r.get('status')}")
                continue
            d, a = r.get("rtt_during") or {}, r.get("rtt_after") or {}
            out.append(
                f"- round {i}: total {r['total_time_ms']} ms, downtime {r['downtime_ms']} ms, "
                f"{fmt(r.get('ram_transferred_mb'))} MB at {fmt(r.get('migration_mbit_s'))} Mbit/s "
                f"({r.get('dirty_sync_count')} passes); lost {r.get('lost_pings')}/"
                f"{r.get('pings_expected')} pings, longest gap {fmt(r.get('longest_gap_ms'))} ms "
                f"(from {fmt(r.get('longest_gap_starts_ms'))} ms after the migrate command), "
                f"answered {fmt(r.get('answered_after_completed_ms'))} ms after completed; RTT "
                f"during p50/p99/max {fmt(d.get('p50_ms'))}/{fmt(d.get('p99_ms'))}/"
                f"{fmt(d.get('max_ms'))} ms ({d.get('n')} replies), after p50 {fmt(a.get('p50_ms'))} ms"
                + (f"; bulk {fmt(r['bulk_mbit_s'])} Mbit/s" if "bulk_mbit_s" in r else ""))
        out.append("")
    out.append("See bench/README.md (migrate.sh) for what each row measures and the caveats.")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "round":
        if len(sys.argv) not in (4, 5):
            sys.exit(__doc__)
        print(json.dumps(one_round(*sys.argv[2:]), indent=1, sort_keys=True))
        return 0
    if len(sys.argv) < 2 or sys.argv[1] != "report":
        sys.exit(__doc__)
    ap = argparse.ArgumentParser(prog="migrate_report.py report")
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True, help="output prefix: writes PREFIX.md and PREFIX.json")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(sys.argv[2:])
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    for kv in args.set:
        key, _, value = kv.partition("=")
        meta[key] = value
    data = collect(args.raw)
    table_lines, ratios, medians = summarize(data)
    md = markdown(meta, table_lines, data)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write(md)
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "medians": medians, "ratios": ratios, "variants": data}, f,
                  indent=1, sort_keys=True)
        f.write("\n")
    print("\n".join(table_lines))
    failed = sum(1 for v in VARIANTS for r in data[v]["rounds"] if r.get("status") != "completed")
    print(f"\nwritten: {args.out}.md, {args.out}.json" +
          (f" ({failed} migration(s) did not complete)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

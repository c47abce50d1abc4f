#!/usr/bin/python3
"""Replace a server's CRL file COUNT times in a rotation of valid, garbage, revoking, truncated,
expired and missing versions, and after each replacement make two TLS handshakes with the
server: one with a certificate no CRL revokes, one with the certificate the "revoked" CRL
lists. Each outcome is compared with what the last CRL that loaded says:

  good     both accepted            revoked  the second refused
  expired  both refused (closed)    missing  both refused (closed)
  garbage, truncated: no change (the last good CRL stays in force)

Replacements alternate between rewriting the file in place (as cp does) and renaming a new
file over it. The client is capped at TLS 1.2, where a refused certificate fails the handshake
itself. Prints one line per mismatch, the server's RSS after WARM replacements and at the end,
and a summary; exits 1 on any mismatch.

usage: crl_rotate.py HOST PORT CA LIVE CRLDIR CERT KEY REVCERT REVKEY PID [COUNT] [WARM]
CRLDIR holds good.pem, revoked.pem, expired.pem, truncated.pem and garbage.pem."""
import os
import socket
import ssl
import sys
import time

ROTATION = ["good", "garbage", "revoked", "truncated", "expired", "garbage", "missing",
            "truncated"]
ACCEPTS = {  # effective state -> (plain certificate accepted, revoked certificate accepted)
    "good": (True, True),
    "revoked": (True, False),
    "expired": (False, False),
    "missing": (False, False),
}


def handshake(host, port, ca, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection((host, port), timeout=10) as raw:
        try:
            with ctx.wrap_socket(raw) as tls:
                tls.do_handshake()
                return True
        except (ssl.SSLError, ConnectionError):
            return False


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def replace(live, data, in_place):
    if data is None:
        if os.path.exists(live):
            os.unlink(live)
    elif in_place and os.path.exists(live):
        with open(live, "r+b") as f:
            f.truncate(0)
            f.write(data)
    else:
        tmp = live + ".new"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, live)


def main():
    host, port, ca, live, crldir, cert, key, rcert, rkey, pid = sys.argv[1:11]
    count = int(sys.argv[11]) if len(sys.argv) > 11 else 200
    warm = int(sys.argv[12]) if len(sys.argv) > 12 else 40
    port = int(port)
    files = {}
    for kind in ("good", "revoked", "expired", "truncated", "garbage"):
        with open(os.path.join(crldir, kind + ".pem"), "rb") as f:
            files[kind] = f.read()
    files["missing"] = None
    state = "good"
    bad = 0
    seen = {k: 0 for k in ROTATION}
    rss_warm = None
    start = time.monotonic()
    for i in range(count):
        kind = ROTATION[i % len(ROTATION)]
        seen[kind] += 1
        replace(live, files[kind], i % 2 == 0)
        if kind in ACCEPTS:
            state = kind
        want = ACCEPTS[state]
        got = (handshake(host, port, ca, cert, key), handshake(host, port, ca, rcert, rkey))
        if got != want:
            bad += 1
            print(f"mismatch: replacement {i + 1} ({kind}, in force: {state}): "
                  f"want {want}, got {got}")
        if i + 1 == warm:
            rss_warm = rss_kb(pid)
    replace(live, files["good"], False)
    rss_end = rss_kb(pid)
    print(f"replacements {count} ({', '.join(f'{k} {v}' for k, v in seen.items())}) "
          f"in {time.monotonic() - start:.1f} s; mismatches {bad}")
    print(f"rss_warm_kb {rss_warm} rss_end_kb {rss_end}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

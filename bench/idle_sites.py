#!/usr/bin/python3
"""idle_sites: N idle l2vpn sites connected to one server, from one process (bench/run.sh).

Each site is what the server sees of a real client that sends nothing: a TCP connection, a TLS
handshake with its own client certificate (CERT_DIR/PREFIX<i>.crt and .key, verified by the
server; the server verified against --ca by chain), the two HELLOs of doc/PROTOCOL.md (ours offers the
vnet-header capability as a Linux client whose tap has it does, no LZO, max_frame 1518,
keepalive 10/120 like the configs of bench/lab.sh), and
a PING whose PONG proves the server accepted our HELLO (it refuses a PING before that, and a
site beyond max-clients gets a GOODBYE instead). The sites connect one after the other (the
server's preauth-max-per-source allows 8 pending connections from one address), then stay
connected: every PING the server sends is answered with its PONG, frames it floods to every
site are read and dropped, so the server keeps each one as a live, idle site.

When all N are up (or one failed) the line "idle_sites: up U of N" goes to stdout and to
--ready FILE; the program then holds the sites until SIGTERM/SIGINT and exits 0 (1 when not
all N came up, 2 on bad arguments). Only the --host it is given is ever contacted.
"""

import argparse
import os
import select
import signal
import socket
import ssl
import struct
import sys
import time

HELLO, FRAME, FRAME_LZO, PING, PONG, GOODBYE = 1, 2, 3, 4, 5, 6
MAGIC = b"L2VPN\x00"
CAP_VNET_HDR = 1 << 1


def message(mtype, payload=b""):
    """One protocol message: the u32 header (type << 24 | length) and the payload."""
    return struct.pack(">I", (mtype << 24) | len(payload)) + payload


def hello():
    """Our HELLO: version 1, vnet headers, max_frame 1518, ping 10 s, timeout 120 s."""
    return message(HELLO, MAGIC + struct.pack(">HIIHH", 1, CAP_VNET_HDR, 1518, 10, 120))


class Site:
    """One connection to the server and the bytes received on it that are not parsed yet."""

    def __init__(self, name, tls):
        self.name = name
        self.tls = tls
        self.buf = b""

    def messages(self):
        """Every complete message in the buffer, as (type, payload); the rest stays."""
        out = []
        while len(self.buf) >= 4:
            (hdr,) = struct.unpack(">I", self.buf[:4])
            mtype, length = hdr >> 24, hdr & 0xFFFFFF
            if len(self.buf) < 4 + length:
                break
            out.append((mtype, self.buf[4 : 4 + length]))
            self.buf = self.buf[4 + length :]
        return out

    def pump(self):
        """Read what is there (non-blocking); answer PINGs. False when the server closed or
        said GOODBYE."""
        while True:
            try:
                data = self.tls.recv(65536)
            except ssl.SSLWantReadError:
                return True
            except (ssl.SSLError, OSError):
                return False
            if not data:
                return False
            self.buf += data
            for mtype, payload in self.messages():
                if mtype == PING:
                    self.tls.settimeout(5)
                    self.tls.sendall(message(PONG, payload))
                    self.tls.setblocking(False)
                elif mtype == GOODBYE:
                    return False
            if not self.tls.pending():
                return True


def connect(args, i):
    """Site I: TCP, TLS, HELLOs, PING/PONG, blocking with a timeout. The Site; raises on failure."""
    name = f"{args.prefix}{i}"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False  # the chain is verified; the bench's server has no host name
    ctx.load_verify_locations(args.ca)
    ctx.load_cert_chain(os.path.join(args.cert_dir, name + ".crt"), os.path.join(args.cert_dir, name + ".key"))
    raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
    try:
        tls = ctx.wrap_socket(raw)
        tls.settimeout(args.timeout)
        site = Site(name, tls)
        tls.sendall(hello())
        tls.sendall(message(PING, struct.pack(">Q", i)))
        got_hello = False
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            data = tls.recv(65536)
            if not data:
                raise OSError("the server closed the connection")
            site.buf += data
            for mtype, payload in site.messages():
                if mtype == HELLO:
                    if payload[:6] != MAGIC:
                        raise OSError("not an l2vpn HELLO")
                    got_hello = True
                elif mtype == PING:
                    tls.sendall(message(PONG, payload))
                elif mtype == PONG and got_hello:
                    tls.setblocking(False)
                    return site
                elif mtype == GOODBYE:
                    raise OSError("GOODBYE: " + payload.decode("utf-8", "replace"))
        raise OSError("no HELLO and PONG within the timeout")
    except BaseException:
        raw.close()
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=1194)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--cert-dir", required=True, help="where PREFIX<i>.crt and .key are")
    ap.add_argument("--prefix", default="idle")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=15.0, help="per site, seconds")
    ap.add_argument("--ready", help="file that gets the 'up U of N' line once all are tried")
    args = ap.parse_args()
    if not 1 <= args.n <= 1000:
        ap.error("-n: 1..1000")

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    sites, t0 = [], time.monotonic()
    for i in range(1, args.n + 1):
        if stop:
            break
        try:
            sites.append(connect(args, i))
        except (OSError, ssl.SSLError, ValueError) as e:
            print(f"idle_sites: {args.prefix}{i}: {e}", flush=True)
    line = f"idle_sites: up {len(sites)} of {args.n} ({time.monotonic() - t0:.1f} s)"
    print(line, flush=True)
    if args.ready:
        with open(args.ready + ".tmp", "w", encoding="utf-8") as f:
            f.write(line + "\n")
        os.replace(args.ready + ".tmp", args.ready)

    lost = 0
    while not stop and sites:
        try:
            readable, _, _ = select.select([s.tls for s in sites], [], [], 1.0)
        except InterruptedError:
            continue
        for s in [s for s in sites if s.tls in readable]:
            if not s.pump():
                lost += 1
                print(f"idle_sites: {s.name}: the server closed the connection", flush=True)
                s.tls.close()
                sites.remove(s)
    for s in sites:
        try:
            s.tls.close()
        except OSError:
            pass
    print(f"idle_sites: stopped ({lost} lost while idle)", flush=True)
    return 0 if line.startswith(f"idle_sites: up {args.n} ") and not lost else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""evil_peer: a hostile l2vpn client for the attack tests (tests/netns).

It speaks the wire protocol of doc/PROTOCOL.md by hand, with Python's own ssl module, so it can
say what a real l2vpn never says. Two kinds of run:

1. One crafted connection (--case NAME): TCP connect, a full TLS handshake with a client
   certificate (--cert/--key) and the server verified against --ca (by chain; by name too when
   --server-name is given), the server's HELLO read and decoded, then the case's bytes. Unless the
   case closes by itself, the program then waits up to --wait seconds for the server to close the
   connection, discarding whatever the server sends meanwhile.
   Exit status: 0 the server closed the connection (or, for "valid", kept it and answered), 1 it
   did not within --wait, 2 setup failed (TCP, TLS, no server HELLO), 3 the server did not
   negotiate what the case needs (LZO, vnet headers).
   One line "evil_peer: case NAME local ADDR:PORT ..." goes to stdout, so a test can find this
   connection in the server's log by the port.

2. A flood from one process (--flood-idle N / --flood-hello N, with --hold SECONDS; --idle S and
   --stall-hello S are the one-connection forms): N non-blocking TCP connections (at most 4096)
   that send nothing, or the first half of a real TLS ClientHello, and then stall. They are held
   for SECONDS (at most 600) and closed; meanwhile the program counts those the server closes.
   Prints one line "evil_peer: flood-idle opened=N connected=C closed_by_server=K
   still_open=O held=S" and exits 0 (2 when not one connection completed).

The cases (each on its own connection; "after HELLO" means after a valid HELLO from us):
  valid               HELLO, a PING (the PONG must come back), a valid plain and a valid GSO
                      frame, 1 s alive, then GOODBYE: the negative twin of all others
  bad-type            after HELLO, a message of type 7 (no such type)
  bad-type-first      type 0 as the very first message
  too-long            after HELLO, a FRAME announcing 16 MiB - 1 bytes (beyond any maximum)
  bad-ping-len        after HELLO, a PING with a 3-byte payload
  short-hello         a HELLO with an 8-byte payload
  truncated           after HELLO, a FRAME header for 1000 bytes, 100 of them, then TLS
                      close_notify and TCP close
  frame-before-hello  a valid FRAME as the first message
  second-hello        HELLO, then HELLO again
  hello-flood         10000 HELLOs in a row
  vnet-bad-gso        after HELLO, a GSO frame of type 3 (UDP fragmentation offload)
  vnet-bad-flags      after HELLO, a frame with vnet flags 0x80
  vnet-csum-range     after HELLO, NEEDS_CSUM with csum_start + csum_offset beyond the frame
  vnet-csum-in-eth    after HELLO, NEEDS_CSUM with csum_start inside the Ethernet header
  vnet-gso-size-0     after HELLO, a TCPv4 GSO frame with gso_size 0
  vnet-gso-no-csum    after HELLO, a TCPv4 GSO frame without NEEDS_CSUM
  lzo-corrupt         after HELLO, a FRAME_LZO whose data does not decompress
  goodbye-64k         after HELLO, a GOODBYE with a 64 KiB reason
  random              64 KiB of random bytes (--seed) inside TLS, as the first message
  random-up           the same after HELLO
  random-raw          64 KiB of random bytes written under TLS, straight into the TCP stream

3. Handshake churn (--cycles N, with --cert/--key/--ca and --mac MAC): N connections one after
   the other, each a full TLS handshake (no session resumption), the server's HELLO read, our
   HELLO (no capabilities: plain frames), one broadcast frame from source MAC (so the server
   learns it on this connection's port), a GOODBYE, and the server's close awaited. Prints one line
   "evil_peer: cycles N completed C failed F seconds S" and exits 0 when all N completed.

Only a test's own namespaces are ever targets: the host is whatever the test passes.
"""

import argparse
import os
import random
import resource
import selectors
import socket
import ssl
import struct
import sys
import time

HELLO, FRAME, FRAME_LZO, PING, PONG, GOODBYE = 1, 2, 3, 4, 5, 6
CAP_LZO, CAP_VNET = 1, 2
NEEDS_CSUM = 1
GSO_TCPV4 = 1
MAX_FLOOD = 4096
MAX_HOLD = 600


class Closed(Exception):
    """The server closed (or reset) the connection."""


def msg(mtype, payload):
    """One message: big-endian (type << 24 | length), then the payload."""
    return struct.pack(">I", (mtype << 24) | len(payload)) + payload


def hello_payload(caps, max_frame=1518, ping=10, ping_timeout=120):
    return b"L2VPN\0" + struct.pack(">HIIHH", 1, caps, max_frame, ping, ping_timeout)


def vnet_hdr(flags=0, gso_type=0, hdr_len=0, gso_size=0, csum_start=0, csum_offset=0):
    """struct virtio_net_hdr, little-endian on the wire."""
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)


def tcp_frame(payload_len):
    """An Ethernet/IPv4/TCP frame between two addresses no lab host has, to a MAC no one has."""
    eth = bytes.fromhex("02000000fe01" "02000000fe02") + b"\x08\x00"
    tot = 20 + 20 + payload_len
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, tot & 0xFFFF, 1, 0x4000, 64, 6, 0,
                     socket.inet_aton("192.168.10.250"), socket.inet_aton("192.168.10.251"))
    tcp = struct.pack(">HHIIBBHHH", 40000, 9, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    return eth + ip + tcp + bytes(payload_len)


def vframe(frame, *hdr, **kw):
    """A FRAME message with a vnet header in front of FRAME (fields as vnet_hdr's)."""
    return msg(FRAME, vnet_hdr(*hdr, **kw) + frame)


# csum_start/offset of a TCP checksum in tcp_frame(): after Ethernet (14) and IPv4 (20) headers.
TCP_CSUM = dict(csum_start=34, csum_offset=16)


class Conn:
    """A TLS connection to the server with a message reader."""

    def __init__(self, args):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_verify_locations(args.ca)
        ctx.load_cert_chain(args.cert, args.key)
        ctx.check_hostname = bool(args.server_name)
        raw = socket.create_connection((args.host, args.port), timeout=args.wait)
        self.local = "%s:%d" % raw.getsockname()[:2]
        self.sock = ctx.wrap_socket(raw, server_hostname=args.server_name)
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            raise Closed(str(e)) from e

    def recv_some(self):
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            raise
        except (OSError, ssl.SSLError) as e:
            raise Closed(str(e)) from e
        if not data:
            raise Closed("EOF")
        return data

    def read_msg(self):
        """The next whole message as (type, payload)."""
        while True:
            if len(self.buf) >= 4:
                word = struct.unpack(">I", self.buf[:4])[0]
                mtype, mlen = word >> 24, word & 0xFFFFFF
                if len(self.buf) >= 4 + mlen:
                    payload = self.buf[4:4 + mlen]
                    self.buf = self.buf[4 + mlen:]
                    return mtype, payload
            self.buf += self.recv_some()

    def read_hello(self):
        mtype, payload = self.read_msg()
        if mtype != HELLO or len(payload) < 20 or payload[:6] != b"L2VPN\0":
            raise Closed("first message from the server is not a HELLO")
        version, caps, max_frame = struct.unpack(">HII", payload[6:16])
        return version, caps, max_frame

    def wait_closed(self, secs):
        """Seconds until the server closed the connection, or None when it stays open."""
        start = time.monotonic()
        while time.monotonic() - start < secs:
            self.sock.settimeout(max(0.05, secs - (time.monotonic() - start)))
            try:
                self.recv_some()
            except Closed:
                return time.monotonic() - start
            except (socket.timeout, TimeoutError):
                break
        return None


def case_bytes(name, rng):
    """(needs our HELLO first, needs caps, bytes to send) for a garbage case."""
    small = tcp_frame(100)
    big = tcp_frame(3 * 1400)
    table = {
        "bad-type": (True, 0, msg(7, b"\0" * 8)),
        "bad-type-first": (False, 0, msg(0, b"\0" * 8)),
        "too-long": (True, 0, struct.pack(">I", (FRAME << 24) | 0xFFFFFF) + bytes(1000)),
        "bad-ping-len": (True, 0, msg(PING, b"abc")),
        "short-hello": (False, 0, msg(HELLO, b"L2VPN\0\0\1")),
        "truncated": (True, 0, struct.pack(">I", (FRAME << 24) | 1000) + bytes(100)),
        "frame-before-hello": (False, 0, msg(FRAME, vnet_hdr() + small)),
        "second-hello": (True, 0, msg(HELLO, hello_payload(CAP_LZO | CAP_VNET))),
        "hello-flood": (True, 0, msg(HELLO, hello_payload(CAP_LZO | CAP_VNET)) * 10000),
        "vnet-bad-gso": (True, CAP_VNET, vframe(big, NEEDS_CSUM, 3, 34, 1400, **TCP_CSUM)),
        "vnet-bad-flags": (True, CAP_VNET, vframe(small, 0x80)),
        "vnet-csum-range": (True, CAP_VNET, vframe(small, NEEDS_CSUM, 0, 0, 0, 34, 2000)),
        "vnet-csum-in-eth": (True, CAP_VNET, vframe(small, NEEDS_CSUM, 0, 0, 0, 6, 6)),
        "vnet-gso-size-0": (True, CAP_VNET, vframe(big, NEEDS_CSUM, GSO_TCPV4, 34, 0, **TCP_CSUM)),
        "vnet-gso-no-csum": (True, CAP_VNET, vframe(big, 0, GSO_TCPV4, 34, 1400, **TCP_CSUM)),
        # LZO1X: a zero first byte starts a literal run whose length the following zero bytes
        # keep growing until the input runs out: lzo1x_decompress_safe reports an overrun.
        "lzo-corrupt": (True, CAP_LZO, msg(FRAME_LZO, bytes(64))),
        "goodbye-64k": (True, 0, msg(GOODBYE, b"A" * 65536)),
        "random": (False, 0, rng.randbytes(65536)),
        "random-up": (True, 0, rng.randbytes(65536)),
        "random-raw": (True, 0, rng.randbytes(65536)),
    }
    return table[name]


CASES = ["valid", "bad-type", "bad-type-first", "too-long", "bad-ping-len", "short-hello",
         "truncated", "frame-before-hello", "second-hello", "hello-flood", "vnet-bad-gso",
         "vnet-bad-flags", "vnet-csum-range", "vnet-csum-in-eth", "vnet-gso-size-0",
         "vnet-gso-no-csum", "lzo-corrupt", "goodbye-64k", "random", "random-up", "random-raw"]


def run_valid(conn, caps, say):
    """The negative twin: well-formed traffic keeps the connection up."""
    conn.send(msg(PING, b"evilpeer"))
    conn.sock.settimeout(5)
    while True:
        mtype, payload = conn.read_msg()
        if mtype == PONG and payload == b"evilpeer":
            break
    frames = b""
    if caps & CAP_VNET:
        frames += vframe(tcp_frame(100))
        frames += vframe(tcp_frame(3 * 1400), NEEDS_CSUM, GSO_TCPV4, 34, 1400, **TCP_CSUM)
    else:
        frames += msg(FRAME, tcp_frame(100))
    conn.send(frames)
    closed = conn.wait_closed(1.0)
    if closed is not None:
        say("the server closed a valid connection after %.3f s" % closed)
        return 1
    conn.send(msg(GOODBYE, b"bye"))
    say("PONG received, frames accepted, still open after 1 s; said goodbye")
    return 0


def run_case(args):
    rng = random.Random(args.seed)
    try:
        conn = Conn(args)
    except (OSError, ssl.SSLError) as e:
        print("evil_peer: case %s: TLS setup failed: %s" % (args.case, e))
        return 2

    def say(text):
        print("evil_peer: case %s local %s %s" % (args.case, conn.local, text), flush=True)

    try:
        conn.sock.settimeout(args.wait)
        version, caps, max_frame = conn.read_hello()
    except (Closed, socket.timeout, TimeoutError) as e:
        say("no HELLO from the server: %s" % e)
        return 2
    say("%s, server HELLO version %d caps %#x max frame %d"
        % (conn.sock.version(), version, caps, max_frame))
    ours = hello_payload(CAP_LZO | CAP_VNET)
    if args.case == "valid":
        conn.send(msg(HELLO, ours))
        try:
            return run_valid(conn, caps, say)
        except (Closed, socket.timeout, TimeoutError) as e:
            say("valid traffic failed: %s" % e)
            return 1
    first, needs, data = case_bytes(args.case, rng)
    if needs & ~caps:
        say("the server did not offer caps %#x: case not applicable" % (needs & ~caps))
        return 3
    start = time.monotonic()
    try:
        if first:
            conn.send(msg(HELLO, ours))
        if args.case == "random-raw":
            raw = socket.socket(fileno=os.dup(conn.sock.fileno()))
            try:
                raw.sendall(data)
            finally:
                raw.close()
        else:
            conn.send(data)
    except (Closed, OSError) as e:
        say("closed by the server while sending (%s) after %.3f s" % (e, time.monotonic() - start))
        return 0
    if args.case == "truncated":
        conn.sock.settimeout(2)
        try:
            conn.sock.unwrap().close()
        except (OSError, ssl.SSLError):
            conn.sock.close()
        say("sent a partial message, then closed")
        return 0
    closed = conn.wait_closed(args.wait)
    if closed is None:
        say("the server kept the connection open for %.1f s" % args.wait)
        return 1
    say("closed by the server after %.3f s" % (time.monotonic() - start))
    return 0


def mac_frame(mac):
    """A broadcast frame of EtherType 0x88b5 (local experimental) from source MAC."""
    src = bytes.fromhex(mac.replace(":", ""))
    return b"\xff" * 6 + src + b"\x88\xb5" + bytes(46)


def run_cycles(args):
    """Strategy: strictly sequential connections, each closed before the next one opens, so
    the count of the server's "link up" lines for this certificate equals the cycles."""
    frame = msg(FRAME, mac_frame(args.mac))
    hello = msg(HELLO, hello_payload(0))
    done = failed = 0
    start = time.monotonic()
    for _ in range(args.cycles):
        conn = None
        try:
            conn = Conn(args)
            conn.sock.settimeout(args.wait)
            conn.read_hello()
            conn.send(hello + frame + msg(GOODBYE, b"churn"))
            # the server closes after a GOODBYE: wait for it, so nothing we sent is cut off
            if conn.wait_closed(args.wait) is None:
                raise Closed("the server kept the connection after GOODBYE")
            done += 1
        except (OSError, ssl.SSLError, Closed) as e:
            failed += 1
            if failed <= 3:
                print("evil_peer: cycle failed: %s" % e, flush=True)
        finally:
            if conn:
                conn.sock.close()
    print("evil_peer: cycles %d completed %d failed %d seconds %.1f"
          % (args.cycles, done, failed, time.monotonic() - start), flush=True)
    return 0 if done == args.cycles else 1


def partial_client_hello():
    """The first half of a real TLS ClientHello (OpenSSL's, via a memory BIO)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    return hello[:len(hello) // 2]


def run_flood(args, count, hold, stall_hello):
    """Strategy: all sockets non-blocking in one selector; first wait (at most 5 s) for the
    connects to complete, sending the partial ClientHello on each, then hold them until the
    deadline, counting those the server closes. Everything is closed on the way out."""
    kind = "flood-hello" if stall_hello else "flood-idle"
    count = max(1, min(count, MAX_FLOOD))
    hold = max(0.0, min(hold, MAX_HOLD))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    data = partial_client_hello() if stall_hello else b""
    sel = selectors.DefaultSelector()
    socks = []
    connected = closed = 0
    start = time.monotonic()
    try:
        for _ in range(count):
            family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((args.host, args.port))
            socks.append(s)
            sel.register(s, selectors.EVENT_WRITE, "connecting")
        deadline = start + hold
        connect_deadline = min(deadline, start + 5.0)
        pending = count
        while time.monotonic() < deadline:
            limit = connect_deadline if pending else deadline
            for key, events in sel.select(timeout=max(0.0, min(0.2, limit - time.monotonic()))):
                s = key.fileobj
                if key.data == "connecting":
                    pending -= 1
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                        sel.unregister(s)
                        continue
                    connected += 1
                    if data:
                        try:
                            s.send(data)
                        except OSError:
                            pass
                    sel.modify(s, selectors.EVENT_READ, "open")
                    continue
                try:
                    if s.recv(4096):
                        continue
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                closed += 1
                sel.unregister(s)
            if pending and time.monotonic() >= connect_deadline:
                pending = 0
    finally:
        for s in socks:
            s.close()
        sel.close()
    print("evil_peer: %s opened=%d connected=%d closed_by_server=%d still_open=%d held=%.1f"
          % (kind, count, connected, closed, connected - closed, time.monotonic() - start),
          flush=True)
    return 0 if connected else 2


def main():
    p = argparse.ArgumentParser(description="hostile l2vpn client for the attack tests")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=1194)
    p.add_argument("--cert", help="client certificate (PEM) for --case")
    p.add_argument("--key", help="its private key (PEM)")
    p.add_argument("--ca", help="CA certificate that must have signed the server's")
    p.add_argument("--server-name", help="also check the server certificate's name")
    p.add_argument("--case", choices=CASES)
    p.add_argument("--seed", type=int, default=1, help="seed of the random cases")
    p.add_argument("--wait", type=float, default=5.0,
                   help="seconds to wait for the server to close")
    p.add_argument("--flood-idle", type=int, metavar="N",
                   help="N TCP connections that send nothing (max %d)" % MAX_FLOOD)
    p.add_argument("--flood-hello", type=int, metavar="N",
                   help="N connections that stall in a ClientHello (max %d)" % MAX_FLOOD)
    p.add_argument("--idle", type=float, metavar="SECONDS",
                   help="one idle TCP connection held SECONDS")
    p.add_argument("--stall-hello", type=float, metavar="SECONDS",
                   help="one connection with half a ClientHello, held SECONDS")
    p.add_argument("--hold", type=float, default=3.0,
                   help="seconds a flood is held (max %d)" % MAX_HOLD)
    p.add_argument("--cycles", type=int, metavar="N",
                   help="N connect/handshake/HELLO/frame/close cycles (max 100000)")
    p.add_argument("--mac", default="02:cc:00:00:00:01",
                   help="source MAC of the frame each cycle sends")
    args = p.parse_args()
    if args.cycles is not None:
        if not (args.cert and args.key and args.ca) or not 1 <= args.cycles <= 100000:
            p.error("--cycles needs 1..100000, --cert, --key and --ca")
        return run_cycles(args)
    if args.idle is not None:
        return run_flood(args, 1, args.idle, False)
    if args.stall_hello is not None:
        return run_flood(args, 1, args.stall_hello, True)
    if args.flood_idle is not None:
        return run_flood(args, args.flood_idle, args.hold, False)
    if args.flood_hello is not None:
        return run_flood(args, args.flood_hello, args.hold, True)
    if not (args.case and args.cert and args.key and args.ca):
        p.error("--case needs --cert, --key and --ca")
    return run_case(args)


if __name__ == "__main__":
    sys.exit(main())

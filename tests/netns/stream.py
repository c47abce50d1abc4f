#!/usr/bin/python3
"""Test-only TCP stream for the cutover test. `send HOST PORT SECONDS OUT`: connect and send a
deterministic byte stream (a counter pattern) at about 200 KB/s for SECONDS, then write its
sha256 and length to OUT. `recv ADDR PORT OUT`: accept one connection and write the sha256 and
length of everything received to OUT when the sender closes."""
import hashlib
import socket
import sys
import time


def chunk(i):
    return (("%012d" % i) * 341).encode()[:4092] + b"\n" * 4


def send(host, port, seconds, out):
    s = socket.create_connection((host, int(port)), timeout=60)
    h, n, i, end = hashlib.sha256(), 0, 0, time.monotonic() + float(seconds)
    while time.monotonic() < end:
        data = chunk(i)
        s.sendall(data)
        h.update(data)
        n += len(data)
        i += 1
        time.sleep(0.02)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    open(out, "w").write("%s %d\n" % (h.hexdigest(), n))


def recv(addr, port, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    c, _ = ls.accept()
    h, n = hashlib.sha256(), 0
    while True:
        data = c.recv(65536)
        if not data:
            break
        h.update(data)
        n += len(data)
    open(out, "w").write("%s %d\n" % (h.hexdigest(), n))
    c.close()


if __name__ == "__main__":
    {"send": send, "recv": recv}[sys.argv[1]](*sys.argv[2:])

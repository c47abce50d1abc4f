#!/usr/bin/python3
"""A stand-in for systemd's notification socket: binds the AF_UNIX datagram socket PATH and
writes each message it receives to OUT as one line, "<unix time> <message>", with the
message's newlines as "|". Runs until killed."""
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        msg = sock.recv(4096).decode(errors="replace")
        f.write("%.3f %s\n" % (time.time(), msg.replace("\n", "|")))

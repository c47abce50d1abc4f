#!/usr/bin/env python3
"""Send one gratuitous ARP (what a hypervisor sends for a VM that just migrated) on IFACE:
   garp.py IFACE IP. Broadcast, sender and target IP = IP, sender MAC = IFACE's MAC."""
import socket
import sys

iface, ip = sys.argv[1], sys.argv[2]
mac = bytes.fromhex(open(f"/sys/class/net/{iface}/address").read().strip().replace(":", ""))
addr = socket.inet_aton(ip)
frame = (b"\xff" * 6 + mac + b"\x08\x06"            # Ethernet: broadcast, ARP
         + b"\x00\x01\x08\x00\x06\x04\x00\x02"      # Ethernet/IPv4, reply (gratuitous)
         + mac + addr + b"\xff" * 6 + addr)
with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
    s.bind((iface, 0))
    s.send(frame)

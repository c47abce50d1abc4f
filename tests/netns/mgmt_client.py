#!/usr/bin/python3
"""A management interface client for the tests: OpenVPN's protocol, line by line (stdlib only).

    mgmt_client.py ADDR CHECK [ARGS...]

ADDR is a unix socket path (starting with /) or HOST:PORT. Each CHECK talks to the daemon,
checks what it answers and exits 0, or prints what was wrong and exits 1:

    cmd COMMAND...          send one command, print the reply (exit 1 on ERROR)
    banner                  the >INFO banner, in OpenVPN's words with l2vpn's version
    held                    the banner, then >HOLD:Waiting for hold release:0; hold=1
    basics PID              help, version, pid, load-stats, nclients, verb, mute, hold, bogus
    history                 echo, log, state: on/off, all, N, and their errors
    status-layouts ROLE     status 1, 2, 3 (server) or the statistics (client), status 4
    record OUT CMD...       send CMDs, touch OUT.ready, then append every line to OUT
    kill-by-address         the first site of `status 2`, killed by IP:PORT
    json CN IP MAC          status json: the site CN from IP (address starts IP:), MAC on its port
    password-right PWFILE   the prompt, the right password, the banner
    password-wrong          the prompt, a wrong password: ERROR: bad password and closed
    concurrent N            N clients at once, each answering in turn
    limit                   beyond 8 clients, a newcomer is told so and closed
    stuck                   `log on`, then commands without ever reading: dropped in time
    garbage                 a 10 KB line, NUL bytes, unknown commands, bad quotes: ERROR each
    watch-file PATH SECS    read PATH in a loop while it is rewritten: every read parses
"""
import json
import os
import re
import socket
import sys
import time

TIMEOUT = 15


class Fail(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Fail(what)


class Mgmt:
    """One connection; lines come back without their "\\r\\n" (which is checked)."""

    def __init__(self, addr, banner=True, timeout=TIMEOUT):
        if addr.startswith("/"):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(addr)
        else:
            host, port = addr.rsplit(":", 1)
            self.sock = socket.create_connection((host.strip("[]"), int(port)), timeout)
        self.buf = b""
        self.notes = []
        self.banner = self.line() if banner else None

    def close(self):
        self.sock.close()

    def send(self, text):
        self.sock.sendall(text.encode() + b"\n")

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed by the daemon")
        self.buf += data

    def prompt(self):
        """The password prompt, which has no line end."""
        while len(self.buf) < 15:
            self.fill()
        head, self.buf = self.buf[:15], self.buf[15:]
        return head.decode()

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        raw, self.buf = self.buf.split(b"\n", 1)
        expect(raw.endswith(b"\r"), "line without \\r\\n: %r" % raw)
        return raw[:-1].decode()

    def reply(self):
        """The reply to one command: a SUCCESS/ERROR line, or lines up to END. Notifications
        (lines starting with '>') seen meanwhile go to self.notes."""
        lines = []
        while True:
            line = self.line()
            if line.startswith(">") and not lines:
                self.notes.append(line)
                continue
            lines.append(line)
            if len(lines) == 1 and (line.startswith("SUCCESS:") or line.startswith("ERROR:")):
                return lines
            if line == "END":
                return lines

    def cmd(self, text):
        self.send(text)
        return self.reply()

    def one(self, text):
        r = self.cmd(text)
        expect(len(r) == 1, "%s: one line expected, got %r" % (text, r))
        return r[0]


def match(pattern, line, what):
    expect(re.fullmatch(pattern, line), "%s: %r does not match %r" % (what, line, pattern))


def check_cmd(addr, *words):
    m = Mgmt(addr)
    reply = m.cmd(" ".join(words))
    for line in reply:
        print(line)
    return 1 if reply[0].startswith("ERROR:") else 0


def check_banner(addr):
    m = Mgmt(addr)
    match(r">INFO:OpenVPN Management Interface Version 5 \(l2vpn [0-9][0-9.]*\) -- "
          r"type 'help' for more info", m.banner, "banner")
    return 0


def check_held(addr):
    m = Mgmt(addr)
    expect(m.banner.startswith(">INFO:"), "banner: %r" % m.banner)
    expect(m.line() == ">HOLD:Waiting for hold release:0", "the hold notice")
    expect(m.one("hold") == "SUCCESS: hold=1", "hold=1")
    return 0


def check_basics(addr, pid):
    m = Mgmt(addr)
    helptext = m.cmd("help")
    expect(helptext[0].startswith("Management Interface for l2vpn "), "help: %r" % helptext[0])
    expect(helptext[-1] == "END", "help ends with END")
    for c in ("bytecount", "kill", "load-stats", "log", "metrics", "signal", "state", "status",
              "hold", "verb", "mute", "echo", "version", "pid"):
        expect(any(l.startswith(c + " ") for l in helptext), "help lists %s" % c)
    version = m.cmd("version")
    expect(len(version) == 3, "version: three lines: %r" % version)
    match(r"OpenVPN Version: OpenVPN 2\.6\.0 \(l2vpn [0-9.]+, .*\) \[SSL \(OpenSSL .*\)\] "
          r"\[LZO\]", version[0], "version")
    expect(version[1] == "Management Version: 5", "version: %r" % version[1])
    expect(version[2] == "END", "version ends with END")
    expect(m.one("version 3") == "SUCCESS: Management client version set to 3", "version 3")
    expect(m.one("pid") == "SUCCESS: pid=%s" % pid, "pid")
    match(r"SUCCESS: nclients=[0-9]+,bytesin=[0-9]+,bytesout=[0-9]+", m.one("load-stats"),
          "load-stats")
    match(r"SUCCESS: nclients=[0-9]+", m.one("nclients"), "nclients")
    verb = m.one("verb")
    match(r"SUCCESS: verb=[0-9]+", verb, "verb")
    expect(m.one("verb 5") == "SUCCESS: verb level changed", "verb 5")
    expect(m.one("verb") == "SUCCESS: verb=5", "verb after verb 5")
    expect(m.one("verb 12") == "ERROR: verb level is out of range", "verb 12")
    m.one("verb " + verb.split("=")[1])
    expect(m.one("mute 10") == "SUCCESS: mute level changed", "mute 10")
    expect(m.one("mute") == "SUCCESS: mute=10", "mute")
    expect(m.one("mute x") == "ERROR: mute level is out of range", "mute x")
    m.one("mute 0")
    match(r"SUCCESS: hold=[01]", m.one("hold"), "hold")
    expect(m.one("hold maybe") == "ERROR: bad hold command parameter", "hold maybe")
    expect(m.one("bytecount 0") == "SUCCESS: bytecount interval changed", "bytecount 0")
    expect(m.one("bytecount x").startswith("ERROR: "), "bytecount x")
    expect(m.one("bytecount") == "ERROR: the 'bytecount' command requires at least 1 parameter",
           "bytecount without n")
    expect(m.one("signal SIGFOO") == "ERROR: signal 'SIGFOO' is not a known signal type",
           "signal SIGFOO")
    expect(m.one("forget-passwords") == "SUCCESS: Passwords were forgotten", "forget-passwords")
    expect(m.one("bogus") == "ERROR: unknown command, enter 'help' for more options", "bogus")
    m.send("quit")
    try:
        m.line()
        raise Fail("quit: the connection stays open")
    except EOFError:
        pass
    return 0


def check_history(addr):
    m = Mgmt(addr)
    expect(m.one("echo on") == "SUCCESS: real-time echo notification set to ON", "echo on")
    expect(m.one("echo hello there") == "SUCCESS: echo text added", "echo text")
    match(r">ECHO:[0-9]+,hello there", m.line(), ">ECHO: after echo TEXT with echo on")
    echo = m.cmd("echo all")
    expect(echo[-1] == "END" and re.fullmatch(r"[0-9]+,hello there", echo[-2]),
           "echo all: %r" % echo)
    expect(m.one("echo off") == "SUCCESS: real-time echo notification set to OFF", "echo off")
    logs = m.cmd("log all")
    expect(logs[-1] == "END" and len(logs) > 2, "log all: lines and END: %r" % logs[:3])
    for l in logs[:-1]:
        match(r"[0-9]+,[IFNWD]*,.*", l, "log all line")
    two = m.cmd("log 2")
    expect(len(two) == 3 and two[2] == "END", "log 2: two lines and END: %r" % two)
    for l in two[:2]:
        match(r"[0-9]+,[IFNWD]*,.*", l, "log 2 line")
    expect(m.one("log") == "ERROR: the 'log' command requires at least 1 parameter", "log")
    expect(m.one("log maybe") ==
           "ERROR: log parameter must be 'on' or 'off' or some number n or 'all'", "log maybe")
    expect(m.one("log on") == "SUCCESS: real-time log notification set to ON", "log on")
    expect(m.one("log off") == "SUCCESS: real-time log notification set to OFF", "log off")
    latest = m.cmd("state")
    expect(len(latest) == 2 and latest[1] == "END", "state: one line and END: %r" % latest)
    match(r"[0-9]+,[A-Z_]+,[^,]*,,[^,]*,[^,]*,[^,]*,[^,]*", latest[0], "state line")
    every = m.cmd("state all")
    expect(every[-1] == "END" and every[-2] == latest[0], "state all ends with the latest")
    both = m.cmd("state on all")
    expect(both == ["SUCCESS: real-time state notification set to ON"], "state on all: SUCCESS")
    rest = m.reply()
    expect(rest == every, "state on all: then the history: %r" % rest)
    expect(m.one("state off") == "SUCCESS: real-time state notification set to OFF", "state off")
    return 0


def check_status_layouts(addr, role):
    m = Mgmt(addr)
    if role == "server":
        v1 = m.cmd("status 1")
        expect(v1[:1] == ["OpenVPN CLIENT LIST"] and v1[-1] == "END", "status 1: %r" % v1)
        expect("Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since" in v1,
               "status 1 header")
        expect(m.cmd("status")[0] == "OpenVPN CLIENT LIST", "status: the configured layout 1")
        v2 = m.cmd("status 2")
        expect(v2[0].startswith("TITLE,l2vpn ") and v2[-1] == "END", "status 2: %r" % v2[:2])
        expect(any(l.startswith("HEADER,CLIENT_LIST,Common Name,") for l in v2),
               "status 2 header")
        v3 = m.cmd("status 3")
        expect(v3[0].startswith("TITLE\tl2vpn ") and v3[-1] == "END", "status 3: %r" % v3[:2])
        expect(any(l.startswith("HEADER\tROUTING_TABLE\t") for l in v3), "status 3 header")
    else:
        st = m.cmd("status")
        expect(st[0] == "OpenVPN STATISTICS" and st[-1] == "END", "client status: %r" % st)
        expect(any(l.startswith("TCP/UDP read bytes,") for l in st), "client status rows")
    expect(m.one("status 4") == "ERROR: status format '4' is not 1, 2, 3 or json", "status 4")
    return 0


def check_record(addr, out, *commands):
    m = Mgmt(addr)
    with open(out, "a") as f:
        f.write(m.banner + "\n")
        for c in commands:
            for line in m.cmd(c):
                f.write(line + "\n")
        for n in m.notes:
            f.write(n + "\n")
        f.flush()
        open(out + ".ready", "w").close()
        m.sock.settimeout(None)
        while True:
            try:
                line = m.line()
            except EOFError:
                return 0
            f.write(line + "\n")
            f.flush()


def check_kill_by_address(addr):
    m = Mgmt(addr)
    rows = [l.split(",") for l in m.cmd("status 2") if l.startswith("CLIENT_LIST,")]
    expect(rows, "status 2 lists a site")
    real = rows[0][2]
    reply = m.one("kill " + real)
    expect(reply == "SUCCESS: 1 client(s) at address %s killed" % real, "kill: %r" % reply)
    expect(m.one("kill 192.0.2.1:9") == "ERROR: client at address 192.0.2.1:9 not found",
           "kill of an unknown address")
    return 0


def check_json(addr, cn, ip, mac):
    m = Mgmt(addr)
    lines = m.cmd("status json")
    expect(lines[-1] == "END" and len(lines) == 2, "status json: one line and END")
    doc = json.loads(lines[0])
    expect(doc["role"] == "server", "role: %r" % doc["role"])
    expect(isinstance(doc["uptime"], int) and doc["uptime"] >= 0, "uptime")
    sites = [s for s in doc["sites"] if s["common_name"] == cn]
    expect(len(sites) == 1, "one site %s: %r" % (cn, doc["sites"]))
    site = sites[0]
    expect(site["real_address"].startswith(ip + ":"), "address: %r" % site["real_address"])
    for k in ("connected_since", "bytes_received", "bytes_sent", "frames_received",
              "frames_sent", "send_queue_bytes", "key_updates"):
        expect(isinstance(site[k], int), "site field %s" % k)
    expect(set(site["drops"]) == {"queue_full", "gso", "oversize_out", "oversize_in"},
           "drops by reason")
    expect(site["frames_received"] > 0 and site["bytes_received"] > 0, "traffic counted")
    entries = [e for e in doc["mac_table"]["macs"] if e["mac"] == mac.lower()]
    expect(len(entries) == 1, "MAC %s in the table: %r" % (mac, doc["mac_table"]))
    e = entries[0]
    expect(e["port"] == site["port"] and e["common_name"] == cn and e["vlan"] == 0,
           "MAC on the site's port: %r" % e)
    expect(isinstance(e["age"], int) and e["age"] >= 0, "MAC age")
    expect(site["macs"] >= 1, "the site's MAC count")
    for k in ("tap_read_bytes", "tap_written_bytes", "bad_frames", "bytes_received"):
        expect(isinstance(doc["counters"][k], int), "counter %s" % k)
    expect(set(doc["preauth"]["refused"]) ==
           {"per_source", "evicted", "fd_limit", "max_clients", "timeout"}, "preauth refusals")
    return 0


def check_password_right(addr, pwfile):
    m = Mgmt(addr, banner=False)
    expect(m.prompt() == "ENTER PASSWORD:", "prompt")
    m.send(open(pwfile).readline().rstrip("\n"))
    expect(m.line() == "SUCCESS: password is correct", "right password accepted")
    expect(m.line().startswith(">INFO:OpenVPN Management Interface Version 5 "),
           "banner after the password")
    match(r"SUCCESS: pid=[0-9]+", m.one("pid"), "a command after the password")
    return 0


def check_password_wrong(addr):
    m = Mgmt(addr, banner=False)
    expect(m.prompt() == "ENTER PASSWORD:", "prompt")
    m.send("not the password")
    expect(m.line() == "ERROR: bad password", "wrong password refused")
    try:
        m.line()
        raise Fail("still connected after a wrong password")
    except (EOFError, ConnectionResetError):
        return 0


def check_concurrent(addr, n):
    clients = [Mgmt(addr) for _ in range(int(n))]
    for round_ in range(3):
        for c in clients:
            c.send("pid")
        for c in clients:
            match(r"SUCCESS: pid=[0-9]+", c.reply()[0], "client answers in turn")
    for c in clients:
        c.close()
    return 0


def check_limit(addr):
    conns, refused = [], 0
    for _ in range(9):
        m = Mgmt(addr, banner=False)
        first = m.line()
        if first.startswith("ERROR: too many management clients"):
            refused += 1
            try:
                m.line()
                raise Fail("a refused client stays connected")
            except EOFError:
                pass
        else:
            expect(first.startswith(">INFO:"), "banner: %r" % first)
        conns.append(m)
    expect(refused >= 1, "the ninth client is refused")
    expect(9 - refused <= 8, "at most 8 are connected")
    for m in conns:
        m.close()
    return 0


def check_stuck(addr):
    """Ask for much output and never read it: the daemon must drop this client."""
    m = Mgmt(addr)
    m.send("log on")
    m.send("bytecount 1")
    m.sock.setblocking(False)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            m.sock.send(b"help\nstatus 3\nlog all\n" * 50)
        except BlockingIOError:
            time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            return 0
    raise Fail("a client that reads nothing was not disconnected in 30 s")


def check_garbage(addr):
    m = Mgmt(addr)
    m.sock.sendall(b"x" * 10240 + b"\n")
    expect(m.line() == "ERROR: command longer than 1024 bytes: ignored up to its end",
           "a 10 KB line")
    match(r"SUCCESS: pid=[0-9]+", m.one("pid"), "pid after the long line")
    m.sock.sendall(b"pi\x00d\n")
    expect(m.line() == "ERROR: command holds a NUL byte: ignored", "a NUL byte")
    m.sock.sendall(b"\x00\x00\x00\r\n")
    expect(m.line() == "ERROR: command holds a NUL byte: ignored", "NUL bytes only")
    for junk in ("bogus", "STATUS", "\x1b[2Jstatus", "kill"):
        r = m.one(junk)
        expect(r.startswith("ERROR: "), "%r: %r" % (junk, r))
    expect(m.one('echo "open').startswith("ERROR: unterminated quote"), "unterminated quote")
    expect(m.one("a " * 40).startswith("ERROR: too many parameters"), "too many words")
    m.sock.sendall(b"\xff\xfe\n")
    expect(m.line().startswith("ERROR: unknown command"), "bytes that are not UTF-8")
    match(r"SUCCESS: pid=[0-9]+", m.one("pid"), "the socket stays usable")
    return 0


SAMPLE = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})? [0-9.eE+-]+|# (HELP|TYPE) .*')


def check_watch_file(path, secs):
    """Read PATH as fast as possible for SECS seconds while the daemon replaces it."""
    inodes, reads, deadline = set(), 0, time.time() + float(secs)
    while time.time() < deadline:
        try:
            with open(path) as f:
                inodes.add(os.fstat(f.fileno()).st_ino)
                text = f.read()
        except FileNotFoundError:
            raise Fail("%s missing while it is rewritten" % path)
        reads += 1
        expect(text.endswith("\n") and "\nl2vpn_preauth_refused_total{" in text,
               "read %d: a partial file (%d bytes)" % (reads, len(text)))
        for line in text.splitlines():
            expect(SAMPLE.fullmatch(line), "read %d: bad line %r" % (reads, line))
    expect(len(inodes) >= 2, "the file was replaced (inodes seen: %d)" % len(inodes))
    print("%d reads, %d versions, each one whole" % (reads, len(inodes)))
    return 0


CHECKS = {
    "cmd": check_cmd,
    "banner": check_banner,
    "held": check_held,
    "basics": check_basics,
    "history": check_history,
    "status-layouts": check_status_layouts,
    "record": check_record,
    "kill-by-address": check_kill_by_address,
    "json": check_json,
    "password-right": check_password_right,
    "password-wrong": check_password_wrong,
    "concurrent": check_concurrent,
    "limit": check_limit,
    "stuck": check_stuck,
    "garbage": check_garbage,
}


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "watch-file":
        try:
            return check_watch_file(*sys.argv[2:])
        except Fail as e:
            print("FAIL: %s" % e)
            return 1
    if len(sys.argv) < 3 or sys.argv[2] not in CHECKS:
        print(__doc__)
        return 2
    try:
        return CHECKS[sys.argv[2]](sys.argv[1], *sys.argv[3:])
    except (Fail, EOFError, OSError, ValueError, KeyError) as e:
        print("FAIL: %s: %s" % (type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())

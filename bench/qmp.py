#!/usr/bin/python3
"""Talk to QEMU's QMP monitor over its unix socket (standard library only).

  qmp.py SOCKET COMMAND [ARGUMENTS-JSON]
      Run one QMP command and print its "return" value as JSON; exit 1 on an error reply.
      e.g.  qmp.py vm.qmp query-status
            qmp.py vm.qmp migrate-set-parameters '{"max-bandwidth": 1073741824}'

  qmp.py migrate SOURCE-SOCKET URI OUT.json [--dest SOCKET] [--timeout S]
                 [--max-bandwidth BYTES/S] [--downtime-limit MS]
      Live-migrate the guest behind SOURCE-SOCKET to URI (e.g. tcp:192.168.77.2:4444, where a
      QEMU started with -incoming waits) and follow it to its end. Events are switched on, so
      the moments that matter are taken from QEMU's own events as they arrive, on this
      machine's wall clock (time.time(), the clock of ping -D):
        t_start     the migrate command was sent
        t_stop      the source paused the guest (STOP: the downtime begins)
        t_completed the source reported "completed" (MIGRATION event)
        t_resume    the destination resumed the guest (RESUME on --dest SOCKET)
      query-migrate is polled every 50 ms meanwhile (the last reply is kept: total-time,
      downtime, setup-time, ram.*). OUT.json gets all of it plus "status". After --timeout
      seconds (120) the migration is cancelled and the status is "timeout". Exit 0 only when
      the status is "completed".
"""

import json
import select
import socket
import sys
import time


class QMP:
    """One QMP connection: the greeting read and capabilities negotiated on connect."""

    def __init__(self, path, connect_timeout=30.0):
        deadline = time.time() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.buf = b""
        self.events = []  # (wall clock time, event dict), in arrival order
        self._read_message(10.0)  # the greeting
        self.command("qmp_capabilities")

    def fileno(self):
        return self.sock.fileno()

    def _read_message(self, timeout):
        """The next JSON message, or None when none arrives within TIMEOUT seconds."""
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def pump(self, timeout=0.0):
        """Read whatever arrived (events are recorded); the command replies among it."""
        replies = []
        msg = self._read_message(timeout)
        while msg is not None:
            if "event" in msg:
                self.events.append((time.time(), msg))
            else:
                replies.append(msg)
            msg = self._read_message(0.0)
        return replies

    def command(self, name, arguments=None, timeout=30.0):
        """Run command NAME; its "return" value. Raises RuntimeError on an error reply."""
        req = {"execute": name}
        if arguments:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.time() + timeout
        while time.time() < deadline:
            for reply in self.pump(min(0.5, max(0.0, deadline - time.time()))):
                if "error" in reply:
                    raise RuntimeError(f"{name}: {reply['error'].get('desc', reply['error'])}")
                return reply.get("return")
        raise TimeoutError(f"{name}: no reply within {timeout} s")

    def first_event(self, name, **data):
        """Wall-clock time of the first recorded event NAME whose data has DATA, or None."""
        for t, ev in self.events:
            if ev["event"] == name and all(ev.get("data", {}).get(k) == v for k, v in data.items()):
                return t
        return None


def migrate(argv):
    opts = {"--dest": None, "--timeout": "120", "--max-bandwidth": None, "--downtime-limit": None}
    pos = []
    i = 0
    while i < len(argv):
        if argv[i] in opts and i + 1 < len(argv):
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    if len(pos) != 3:
        sys.exit(__doc__)
    src_path, uri, out = pos
    src = QMP(src_path)
    dst = QMP(opts["--dest"]) if opts["--dest"] else None
    src.command("migrate-set-capabilities",
                {"capabilities": [{"capability": "events", "state": True}]})
    params = {}
    if opts["--max-bandwidth"]:
        params["max-bandwidth"] = int(opts["--max-bandwidth"])
    if opts["--downtime-limit"]:
        params["downtime-limit"] = int(opts["--downtime-limit"])
    if params:
        src.command("migrate-set-parameters", params)
    result = {"uri": uri, "parameters": src.command("query-migrate-parameters")}

    t_start = time.time()
    src.command("migrate", {"uri": uri})
    deadline = t_start + float(opts["--timeout"])
    status = "setup"
    info = {}
    t_done = None
    while True:
        now = time.time()
        waiters = [src] + ([dst] if dst else [])
        select.select(waiters, [], [], 0.05)
        if dst:
            dst.pump()
        info = src.command("query-migrate")
        status = info.get("status", "?")
        if status in ("completed", "failed", "cancelled"):
            t_done = t_done or now
            break
        if now > deadline:
            try:
                src.command("migrate_cancel")
            except (RuntimeError, TimeoutError):
                pass
            status = "timeout"
            break
    # QEMU reports "completed" a moment before it fills in total-time and downtime: ask again
    # until they are there (for at most 2 s).
    end = time.time() + 2
    while status == "completed" and not info.get("total-time") and time.time() < end:
        time.sleep(0.05)
        info = src.command("query-migrate")
    # The destination resumes right after the source completes: wait a little for its event.
    if dst and status == "completed":
        end = time.time() + 10
        while dst.first_event("RESUME") is None and time.time() < end:
            dst.pump(0.1)
    src.pump()
    result.update({
        "status": status,
        "t_start": t_start,
        "t_stop": src.first_event("STOP"),
        "t_completed": src.first_event("MIGRATION", status="completed") or
        (t_done if status == "completed" else None),
        "t_resume": dst.first_event("RESUME") if dst else None,
        "query_migrate": info,
        "events": [{"t": t, "event": e["event"], "data": e.get("data")} for t, e in src.events],
    })
    if dst:
        result["dest_events"] = [{"t": t, "event": e["event"], "data": e.get("data")}
                                 for t, e in dst.events]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"qmp.py: migration {status}: total-time {info.get('total-time')} ms, "
          f"downtime {info.get('downtime')} ms", file=sys.stderr)
    return 0 if status == "completed" else 1


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "migrate":
        return migrate(sys.argv[2:])
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    q = QMP(sys.argv[1])
    try:
        ret = q.command(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) == 4 else None)
    except (RuntimeError, TimeoutError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1
    print(json.dumps(ret))
    return 0


if __name__ == "__main__":
    sys.exit(main())

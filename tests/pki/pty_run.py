#!/usr/bin/env python3
"""Run a command on a pseudo-terminal and answer its prompts.

usage: pty_run.py TRANSCRIPT CMD [ARGS...] <answers

Each line of stdin answers one prompt: whenever the command's terminal output stops at a
line ending in ":" or ": " (no newline yet), the next answer line is typed. Everything the
terminal showed (prompts, echoed answers, messages) is written to TRANSCRIPT. Exits with
the command's status; 124 when it is still running after 60 s, 125 when it asks more
questions than there are answers.
"""
import os
import pty
import select
import sys
import time


def main():
    transcript_path, argv = sys.argv[1], sys.argv[2:]
    answers = sys.stdin.read().splitlines()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    out = b""
    pending = b""  # output since the last answer
    deadline = time.monotonic() + 60
    status = None
    while True:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            status = 124
            break
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                _, wstatus = os.waitpid(pid, 0)
                status = os.waitstatus_to_exitcode(wstatus)
                break
            out += chunk
            pending += chunk
        # Strategy: a prompt is output that ends in ":" and has been quiet for one
        # select period, so a prompt split over two writes is not answered early.
        elif pending.rstrip(b" ").endswith(b":"):
            if not answers:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                status = 125
                break
            os.write(fd, answers.pop(0).encode() + b"\n")
            pending = b""
    with open(transcript_path, "wb") as f:
        f.write(out)
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()

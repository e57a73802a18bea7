#!/usr/bin/python3
"""Runs the walkthrough of docs/cli.md and writes back what each command
really printed, so that the page shows the current build's output.

    scripts/doc-walkthrough.py [--build-dir build]

It starts a fresh evald (empty data directory, the demo principals, a
free loopback port), then runs every `$ ` command of the section
"A service year, step by step" in one bash session, in order, in a scratch
directory (so `export`, files written with heredocs and `$(...)` carry
over, as they would in a terminal). Each command's stdout and stderr,
merged, replaces the lines shown under it. Request ids that evalctl makes
up, audit times and "days late" differ from run to run; everything else is
what the build prints. Standard library only.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "cli.md")
START = "## A service year, step by step"
END = "## Reference"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse(lines):
    """[(kind, payload)]: ("text", line) or ("cmd", (command lines, output
    lines)) for the walkthrough part of the page."""
    out, i, in_block = [], 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_block = not in_block
            out.append(("text", line))
            i += 1
            continue
        if in_block and line.startswith("$ "):
            command = [line[2:]]
            i += 1
            if "<<'EOF'" in line:
                while i < len(lines) and lines[i] != "EOF":
                    command.append(lines[i])
                    i += 1
                command.append("EOF")
                i += 1
            output = []
            while (i < len(lines) and not lines[i].startswith("$ ")
                   and not lines[i].startswith("```")):
                output.append(lines[i])
                i += 1
            # A blank line before the next command separates, it is not
            # output.
            trailing = []
            while output and output[-1] == "":
                trailing.append(output.pop())
            out.append(("cmd", (command, output, trailing)))
            continue
        out.append(("text", line))
        i += 1
    return out


def run(parts, build_dir):
    work = tempfile.mkdtemp(prefix="evald-doc-")
    data = os.path.join(work, "data")
    principals = os.path.join(work, "principals.txt")
    with open(principals, "w") as f:
        subprocess.run([os.path.join(ROOT, "scripts", "make-principals.sh"),
                        os.path.join(ROOT, "deploy", "demo", "tokens.txt")],
                       stdout=f, check=True)
    port = free_port()
    evald = subprocess.Popen(
        [os.path.join(build_dir, "server", "evald"),
         f"--listen=127.0.0.1:{port}", f"--data_dir={data}",
         f"--principals={principals}",
         "--organisations=" + os.path.join(ROOT, "deploy", "demo",
                                           "organisations.tsv")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if "listening" not in evald.stdout.readline():
        sys.exit("doc-walkthrough: evald did not start")
    scratch = os.path.join(work, "scratch")
    os.mkdir(scratch)
    outputs = os.path.join(work, "out")
    os.mkdir(outputs)
    script = [
        "set +e",
        f"cd {scratch}",
        f"export PATH={os.path.join(build_dir, 'client')}:$PATH",
        f"export EVAL_SERVER=127.0.0.1:{port}",
    ]
    n = 0
    for kind, payload in parts:
        if kind != "cmd":
            continue
        command = "\n".join(payload[0])
        script.append(f"{{\n{command}\n}} > {outputs}/{n} 2>&1")
        n += 1
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_MESSAGES")}
    env.update({"EVAL_TOKEN": "", "LANG": "C.UTF-8"})  # English headers
    subprocess.run(["bash", "-c", "\n".join(script)], check=False, env=env)
    evald.terminate()
    evald.wait(timeout=30)
    results = []
    for k in range(n):
        with open(os.path.join(outputs, str(k)), encoding="utf-8") as f:
            text = f.read()
        # -o csv starts with a byte-order mark and ends lines in CRLF, for
        # Excel; the page shows the text.
        text = text.replace("\ufeff", "").replace("\r\n", "\n")
        results.append(text.rstrip("\n").split("\n") if text.strip() else [])
    subprocess.run(["rm", "-rf", work], check=False)
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    a = p.parse_args()
    with open(DOC, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start, end = lines.index(START), lines.index(END)
    parts = parse(lines[start:end])
    results = iter(run(parts, os.path.abspath(a.build_dir)))
    body = []
    for kind, payload in parts:
        if kind == "text":
            body.append(payload)
            continue
        command, _, trailing = payload
        body.append("$ " + command[0])
        body.extend(command[1:])
        body.extend(next(results))
        body.extend(trailing)
    new = lines[:start] + body + lines[end:]
    if new == lines:
        print("doc-walkthrough: docs/cli.md is current")
        return 0
    with open(DOC, "w", encoding="utf-8") as f:
        f.write("\n".join(new))
    print("doc-walkthrough: docs/cli.md rewritten; review with git diff")
    return 0


if __name__ == "__main__":
    sys.exit(main())

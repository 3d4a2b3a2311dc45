#!/usr/bin/env python3
"""Runs a tracker test program and checks its reports.

  report_check.py --filecheck=FileCheck [OPTIONS] PROGRAM SOURCE [ARGS...]

Runs PROGRAM with FEARLESS_REPORT_JSON and FEARLESS_LOCK_GRAPH pointing at
temporary files, then checks (1) stderr against the CHECK lines of SOURCE
with FileCheck, (2) that every JSON line parses and has the fields that
docs/runtime/tracker.md names, one per report, and (3) that the DOT file is
a digraph with the edges' classes.

Options for programs run under the preload (tests/preload):
  --run-with=CMD       run CMD PROGRAM ARGS (fearless-run)
  --env=KEY=VALUE      set a variable (repeatable; FEARLESS_ON_DEADLOCK too)
  --expect-exit=N      the exit status to expect (default 0; -6: SIGABRT)
  --max-seconds=S      fail if the run takes longer (a hang is a failure)
  --no-edges           the program takes no two locks at once: the graph is
                       checked to be a digraph only
  --no-graph           the program never reaches the tracker: no graph file
  --check-prefix=P     FileCheck's prefix (one source, several programs' runs)
  --kill-after=REGEX   the program hangs once stderr matches REGEX (a real
                       deadlock under FEARLESS_ON_DEADLOCK=report): it is
                       killed then, and the run counts as exiting with 0
  --within=S --from=R  with --kill-after: REGEX must match within S seconds
                       of stderr matching R (the moment the program hangs)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

FIELDS = {"kind", "severity", "title", "thread", "locks", "text"}


def run_until(cmd, env, pattern, max_seconds, since=None, within=None):
    """Runs cmd until its stderr matches `pattern` (then kills it, and waits
    a moment for the rest of the report) or `max_seconds` pass (a failure).
    With `since` and `within`: `pattern` must match within `within` seconds
    of stderr matching `since`."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stderr.readline, "")))
    reader.start()
    deadline = time.monotonic() + max_seconds
    matched_at = since_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        if since and since_at is None and re.search(since, "".join(seen)):
            since_at = time.monotonic()
        if matched_at is None and re.search(pattern, "".join(seen)):
            matched_at = time.monotonic()
            if since_at is None and since:
                since_at = matched_at # both in one read
        if matched_at is not None and time.monotonic() > matched_at + 0.3:
            break
        time.sleep(0.01)
    still_running = proc.poll() is None
    proc.kill()
    proc.wait()
    reader.join()
    text = "".join(seen)
    if within is not None and matched_at is not None and \
            matched_at - (since_at or matched_at) > within:
        sys.exit(f"/{pattern}/ came {matched_at - since_at:.2f} s after "
                 f"/{since}/, more than {within} s; stderr:\n{text}")
    if since_at is not None and matched_at is not None:
        print(f"/{pattern}/ {matched_at - since_at:.3f} s after /{since}/")
    if not re.search(pattern, text):
        why = "still ran" if still_running else f"exited with {proc.returncode}"
        sys.exit(f"{cmd[-1]} {why} without printing /{pattern}/ within "
                 f"{max_seconds} s; stderr:\n{text}")
    return subprocess.CompletedProcess(cmd, 0, "", text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filecheck", required=True)
    ap.add_argument("--run-with", default=None)
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--no-edges", action="store_true")
    ap.add_argument("--no-graph", action="store_true")
    ap.add_argument("--check-prefix", default="CHECK")
    ap.add_argument("--kill-after", default=None)
    ap.add_argument("--within", type=float, default=None)
    ap.add_argument("--from", dest="since", default=None)
    ap.add_argument("program")
    ap.add_argument("source")
    ap.add_argument("args", nargs="*")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        json_path = os.path.join(tmp, "reports.jsonl")
        dot_path = os.path.join(tmp, "graph.dot")
        env = dict(os.environ, FEARLESS_REPORT_JSON=json_path,
                   FEARLESS_LOCK_GRAPH=dot_path, FEARLESS_ON_DEADLOCK="report")
        for kv in args.env:
            key, _, value = kv.partition("=")
            env[key] = value
        cmd = ([args.run_with] if args.run_with else []) + [args.program] + args.args
        start = time.monotonic()
        if args.kill_after:
            run = run_until(cmd, env, args.kill_after, args.max_seconds,
                            args.since, args.within)
        else:
            try:
                run = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     timeout=args.max_seconds)
            except subprocess.TimeoutExpired as e:
                sys.exit(f"{args.program} still ran after {args.max_seconds} s "
                         f"(a hang?); stderr so far:\n{e.stderr}")
        seconds = time.monotonic() - start
        if run.returncode != args.expect_exit:
            sys.exit(f"{args.program} exited with {run.returncode}, expected "
                     f"{args.expect_exit}:\n{run.stderr}")
        check = subprocess.run([args.filecheck, args.source, "--dump-input=fail",
                                "--allow-empty",
                                f"--check-prefix={args.check_prefix}"],
                               input=run.stderr, text=True)
        if check.returncode != 0:
            sys.exit("FileCheck failed on the report text")
        lines = []
        if os.path.exists(json_path): # written at the first report
            with open(json_path) as f:
                lines = [l for l in f if l.strip()]
        n_reports = run.stderr.count("\nfearless: ") + run.stderr.startswith("fearless: ")
        if len(lines) != n_reports:
            sys.exit(f"{len(lines)} JSON lines for {n_reports} reports")
        for line in lines:
            obj = json.loads(line)
            missing = FIELDS - obj.keys()
            if missing:
                sys.exit(f"JSON report lacks {sorted(missing)}: {line}")
            if obj["severity"] not in ("error", "warning"):
                sys.exit(f"bad severity {obj['severity']}")
            if not obj["text"].startswith("fearless: " + obj["kind"]):
                sys.exit("JSON text does not start with the report's first line")
        if args.no_graph:
            if os.path.exists(dot_path):
                sys.exit("the program was expected not to reach the tracker")
        elif args.expect_exit == 0 and not args.kill_after: # else no graph
            with open(dot_path) as f:
                dot = f.read()
            if not dot.startswith("digraph") or ("->" not in dot and
                                                 not args.no_edges):
                sys.exit(f"lock graph is not a digraph with edges:\n{dot}")
    print(f"ok: {n_reports} report(s), JSON and DOT checked, {seconds:.2f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs a tracker test program and checks its reports.

  report_check.py --filecheck=FileCheck PROGRAM SOURCE

Runs PROGRAM with FEARLESS_REPORT_JSON and FEARLESS_LOCK_GRAPH pointing at
temporary files, then checks (1) stderr against the CHECK lines of SOURCE
with FileCheck, (2) that every JSON line parses and has the fields that
docs/runtime/tracker.md names, one per report, and (3) that the DOT file is
a digraph with the edges' classes.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

FIELDS = {"kind", "severity", "title", "thread", "locks", "text"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filecheck", required=True)
    ap.add_argument("program")
    ap.add_argument("source")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        json_path = os.path.join(tmp, "reports.jsonl")
        dot_path = os.path.join(tmp, "graph.dot")
        env = dict(os.environ, FEARLESS_REPORT_JSON=json_path,
                   FEARLESS_LOCK_GRAPH=dot_path, FEARLESS_ON_DEADLOCK="report")
        run = subprocess.run([args.program], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=120)
        if run.returncode != 0:
            sys.exit(f"{args.program} exited with {run.returncode}:\n{run.stderr}")
        check = subprocess.run([args.filecheck, args.source, "--dump-input=fail"],
                               input=run.stderr, text=True)
        if check.returncode != 0:
            sys.exit("FileCheck failed on the report text")
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
        with open(dot_path) as f:
            dot = f.read()
        if not dot.startswith("digraph") or "->" not in dot:
            sys.exit(f"lock graph is not a digraph with edges:\n{dot}")
    print(f"ok: {n_reports} report(s), JSON and DOT checked")


if __name__ == "__main__":
    main()

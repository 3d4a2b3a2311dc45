#!/usr/bin/env python3
"""Runs a sample program and checks what fearless reports at run time.

  check_sample.py --filecheck=FileCheck PROGRAM [CHECK_FILE]

PROGRAM must exit with 0 within a minute. With CHECK_FILE, its CHECK lines
are matched against the program's stderr and its STDOUT lines against its
stdout, and stderr must hold exactly as many reports (lines starting with
"fearless: ") as the CHECK lines name. Without CHECK_FILE the program must
report nothing.
"""
import argparse
import os
import re
import subprocess
import sys


REPORT = re.compile(r"^fearless: ", re.M)


def filecheck(tool, check_file, prefix, text):
    cmd = [tool, check_file, f"--check-prefix={prefix}", "--dump-input=fail"]
    return subprocess.run(cmd, input=text, text=True).returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filecheck", required=True)
    ap.add_argument("program")
    ap.add_argument("check_file", nargs="?")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEARLESS_")}
    run = subprocess.run([args.program], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=60)
    if run.returncode != 0:
        sys.exit(f"{args.program} exited with {run.returncode}:\n"
                 f"{run.stdout}{run.stderr}")
    if not args.check_file:
        if REPORT.search(run.stderr):
            sys.exit(f"{args.program} reported:\n{run.stderr}")
        print("ok: no report")
        return
    with open(args.check_file, encoding="utf-8") as f:
        checks = f.read()
    ok = filecheck(args.filecheck, args.check_file, "CHECK", run.stderr)
    expected = len(re.findall(r"^CHECK:\s*fearless: ", checks, re.M))
    found = len(REPORT.findall(run.stderr))
    if found != expected:
        sys.stderr.write(f"{found} report(s), expected {expected}:\n{run.stderr}")
        ok = False
    if "STDOUT:" in checks:
        ok = filecheck(args.filecheck, args.check_file, "STDOUT", run.stdout) and ok
    if not ok:
        sys.exit(f"FileCheck failed on the output of {args.program}")
    print("ok: reports and output as expected")


if __name__ == "__main__":
    main()

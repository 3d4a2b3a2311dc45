#!/usr/bin/env python3
"""Runs a fearless check on a test file and checks its diagnostics.

Modelled on clang-tidy's check_clang_tidy.py (not shipped by Debian):

  // RUN: %check_fearless_tidy %s fearless-guard-not-send %t [-- <clang args>]

The test file holds its expectations next to the offending lines:

  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' is ... [fearless-guard-not-send]
  // CHECK-NOTES:    (optional) every note as well
  // CHECK-FIXES:    lines of the file after clang-tidy -fix

Every warning or error clang-tidy prints must be matched by a CHECK-MESSAGES
line (FileCheck -implicit-check-not); with CHECK-NOTES, every note too.
-check-suffixes=A,B selects CHECK-MESSAGES-A, CHECK-MESSAGES-B (for one file
checked under several option sets).

Where Clang words a message differently between LLVM majors, the line for
one major carries its number: CHECK-MESSAGES-LLVM22 (or CHECK-MESSAGES-A-LLVM22
with a suffix) is checked, together with the unversioned lines, only when
the plugin is built for LLVM 22 (--llvm-major, set by lit.cfg.py); the same
for CHECK-NOTES and CHECK-FIXES.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys


def run(cmd, **kwargs):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs)


def file_check(prefix, input_file, check_file, implicit_not, extra=None):
    prefixes = ",".join([prefix] + ([extra] if extra else []))
    cmd = ["FileCheck", f"-input-file={input_file}", check_file,
           f"-check-prefixes={prefixes}", "-strict-whitespace"]
    if implicit_not:
        cmd.append(f"-implicit-check-not={implicit_not}")
    result = run(cmd)
    if result.returncode != 0:
        sys.stderr.write(f"FileCheck failed for {prefix}:\n{result.stdout}\n")
        return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--include", action="append", default=[])
    parser.add_argument("--stdlib", default="libstdc++",
                        choices=["libstdc++", "libc++"],
                        help="the standard library to compile against")
    parser.add_argument("--llvm-major", default="")
    parser.add_argument("-check-suffix", "-check-suffixes", dest="suffixes",
                        default="")
    parser.add_argument("--config", default=None,
                        help="clang-tidy --config value (check options)")
    parser.add_argument("--expect-clang-tidy-error", action="store_true")
    parser.add_argument("input_file")
    parser.add_argument("checks")
    parser.add_argument("temp_file")
    # Split off "-- <clang args>" by hand: argparse would swallow the "--".
    argv = sys.argv[1:]
    clang_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.error(f"unknown arguments: {extra}")

    with open(args.input_file, encoding="utf-8") as f:
        text = f.read()
    suffixes = [s for s in args.suffixes.split(",") if s] or [""]
    prefixes = {kind: [f"CHECK-{kind}" + (f"-{s}" if s else "") for s in suffixes]
                for kind in ("MESSAGES", "NOTES", "FIXES")}
    has = {kind: [p for p in ps if re.search(re.escape(p) + r":", text)]
           for kind, ps in prefixes.items()}
    # Each prefix's lines for this LLVM major, checked in the same FileCheck
    # run as the prefix's own lines.
    versioned = {p: p + f"-LLVM{args.llvm_major}" for ps in prefixes.values()
                 for p in ps}
    versioned = {p: v for p, v in versioned.items()
                 if args.llvm_major and re.search(re.escape(v) + r":", text)}
    # Keep line numbers, drop the expectations from what clang-tidy sees.
    cleaned = re.sub(r"//\s*CHECK-(MESSAGES|NOTES|FIXES)[-A-Z0-9]*:[^\r\n]*", "//", text)
    ext = os.path.splitext(args.input_file)[1] or ".cpp"
    temp = args.temp_file + ext
    os.makedirs(os.path.dirname(os.path.abspath(temp)), exist_ok=True)
    with open(temp, "w", encoding="utf-8") as f:
        f.write(cleaned)

    cmd = [args.clang_tidy, f"--load={args.plugin}", temp, "-fix",
           f"--checks=-*,{args.checks}", "--quiet"]
    if args.config:
        cmd.append(f"--config={args.config}")
    cmd += ["--", "-std=c++20", f"-stdlib={args.stdlib}"]
    # libc++ 19 has std::jthread and std::stop_token only as experimental.
    if args.stdlib == "libc++":
        cmd.append("-fexperimental-library")
    cmd += [f"-I{d}" for d in args.include] + clang_args
    print("Running:", " ".join(shlex.quote(c) for c in cmd))
    result = run(cmd)
    output = result.stdout
    print(output)
    if result.returncode < 0 or (result.returncode != 0 and not args.expect_clang_tidy_error):
        sys.stderr.write(f"clang-tidy exited with {result.returncode}\n")
        return 1
    # clang-tidy's summary lines are not diagnostics.
    diag_lines = [l for l in output.splitlines()
                  if not re.match(r"^\d+ (warnings?|errors?) generated|^Suppressed", l)]
    messages = args.temp_file + ".msg"
    with open(messages, "w", encoding="utf-8") as f:
        f.write("\n".join(diag_lines) + "\n")

    ok = True
    for p in prefixes["MESSAGES"]:
        if p in has["MESSAGES"] or p in versioned:
            ok &= file_check(p, messages, args.input_file, "{{warning|error}}:",
                             versioned.get(p))
        elif any(re.search(r"\b(warning|error):", l) for l in diag_lines):
            sys.stderr.write(f"unexpected diagnostics (the file has no {p} lines)\n")
            ok = False
    for p in prefixes["NOTES"]:
        if p in has["NOTES"] or p in versioned:
            ok &= file_check(p, messages, args.input_file,
                             "{{note|warning|error}}:", versioned.get(p))
    for p in prefixes["FIXES"]:
        if p in has["FIXES"] or p in versioned:
            ok &= file_check(p, temp, args.input_file, None, versioned.get(p))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""parity.py - fearless-guarded-by against Clang's own -Wthread-safety.

Runs Clang's thread-safety test files (fetched by fetch_clang_tests.sh) once
per RUN line through `clang -fsyntax-only -Wthread-safety...` and through
`clang-tidy --checks=-*,fearless-guarded-by` with the check options that
select the same warning groups, with identical compiler arguments, and
compares the findings by file, line, column, message and notes.

The -verify expectations in the files are not used: the reference is what
the installed Clang prints, so the comparison holds for any LLVM version.
A finding is its location, message and notes: clang-tidy prints identical
diagnostics once, so a finding Clang prints twice at one place (e.g. a
range-for reading a guarded container through begin() and end()) counts
once on both sides; such duplicates are listed. Not compared:
-Wthread-safety-attributes (Sema reports attribute misuse
while parsing; fearless-guarded-by does not repeat it) and the template
"in instantiation of ..." notes (clang-tidy does not print instantiation
context for check diagnostics).

One kind of finding is not a difference: a Clang finding that fearless
does not report, where Clang's own test says it is a false positive (a
comment "false positive" on its line, on a note's line, or on one of the
two lines above either: Clang's tests write "// TODO: False positive
because ..." there). fearless fixes some of those (a scoped lock returned by
value, llvm-project #58480); they are counted and listed apart.

Exit status: 0 no difference, 1 differences, 2 usage or environment error.
"""

import argparse
import collections
import json
import os
import re
import shlex
import subprocess
import sys

# Test files of clang/test that exercise the analysis (not only parsing).
TESTS = [
    "SemaCXX/warn-thread-safety-analysis.cpp",
    "SemaCXX/no-warn-thread-safety-analysis.cpp",  # from LLVM 21
    "SemaCXX/warn-thread-safety-negative.cpp",
    "SemaCXX/warn-thread-safety-verbose.cpp",
    "SemaCXX/thread-safety-reference-handling.cpp",
    "SemaCXX/thread-safety-coro.cpp",
    "SemaCXX/warn-thread-safety-parsing.cpp",
    "Sema/warn-thread-safety-analysis.c",
]

# Warning groups produced by the analysis (not by Sema's attribute checks).
ANALYSIS_FLAGS = {
    "thread-safety-analysis", "thread-safety-precise", "thread-safety-reference",
    "thread-safety-reference-return", "thread-safety-beta",
    "thread-safety-negative", "thread-safety-verbose", "thread-safety-pointer",
}

DIAG = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<kind>warning|error|note): "
    r"(?P<msg>.*?)(?: \[(?P<flag>[^\]]+)\])?$")
CONTEXT_NOTE = re.compile(r"^in instantiation of |^in (?:call|evaluation) |requested here$")


def die(msg):
    print(f"parity.py: error: {msg}", file=sys.stderr)
    sys.exit(2)


def run_lines(path):
    """The %clang_cc1 RUN lines of a lit test, continuations joined."""
    lines, cur = [], ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for text in f:
            m = re.match(r"\s*//\s*RUN:\s*(.*)$", text)
            if not m:
                continue
            part = m.group(1).rstrip()
            if part.endswith("\\"):
                cur += part[:-1] + " "
                continue
            cur += part
            if "%clang_cc1" in cur and "-verify" in cur:
                lines.append(cur)
            cur = ""
    return lines


def configuration(run_line, is_c, major):
    """(compiler args, check options, clang warning flags) for one RUN line."""
    toks = shlex.split(run_line.split("%clang_cc1", 1)[1])
    args, wflags = ["-x", "c" if is_c else "c++"], []
    i = 0
    while i < len(toks):
        t = toks[i]
        i += 1
        if t in ("%s", "-fsyntax-only", "-verify") or t.startswith("-verify="):
            continue
        if t.startswith("-W"):
            wflags.append(t)
        elif t in ("-D", "-U", "-I") and i < len(toks):
            args.append(t + toks[i])
            i += 1
        elif t.startswith(("-D", "-U", "-I", "-std=")):
            args.append(t)
        else:  # a cc1-only flag: handed to the frontend as it is
            args += ["-Xclang", t]

    def last(flag, default):
        state = default
        for w in wflags:
            if w == "-W" + flag:
                state = True
            elif w == "-Wno-" + flag:
                state = False
        return state

    whole = last("thread-safety", False)
    opts = {
        "Beta": last("thread-safety-beta", False),
        "Negative": last("thread-safety-negative", False),
        "Pointer": last("thread-safety-pointer", False),
        "Verbose": last("thread-safety-verbose", False),
        "Reference": last("thread-safety-reference", whole),
        "InheritLocksInLambdas": False,  # Clang's behaviour
    }
    # Clang's side with exactly the groups the check options select: the
    # check has no switch for -analysis/-precise, which it always reports.
    clang_w = ["-Wno-thread-safety", "-Wthread-safety-analysis", "-Wthread-safety-precise"]
    if opts["Reference"]:
        clang_w.append("-Wthread-safety-reference")
    for name in ("Beta", "Negative", "Verbose", "Pointer"):
        if opts[name]:
            clang_w.append("-Wthread-safety-" + name.lower())
    # LLVM 19's beta gates only the acquired_before/after checks, which
    # fearless runs always there (as LLVM 22 does): Clang 19 is asked for
    # them too.
    if major < 22 and not opts["Beta"]:
        clang_w.append("-Wthread-safety-beta")
    return args, opts, clang_w


def parse(output, path, accept):
    """Findings in `output` for `path`: Counter of (line, col, msg, notes)."""
    findings, cur = [], None
    base = os.path.basename(path)
    for text in output.splitlines():
        m = DIAG.match(text)
        if not m:
            continue
        if m.group("kind") == "note":
            if cur is not None and not CONTEXT_NOTE.search(m.group("msg")):
                loc = (int(m.group("line")), int(m.group("col"))) \
                    if os.path.basename(m.group("file")) == base else ("other", 0)
                cur[3].append((loc[0], loc[1], m.group("msg")))
            continue
        cur = None
        if os.path.basename(m.group("file")) != base or not accept(m):
            continue
        cur = (int(m.group("line")), int(m.group("col")), m.group("msg"), [])
        findings.append(cur)
    return collections.Counter((l, c, msg, tuple(n)) for l, c, msg, n in findings)


def clang_false_positive(lines, finding):
    """Whether Clang's test marks `finding` (line, col, msg, notes) as a
    false positive of its own."""
    l, _, _, notes = finding
    for at in [l] + [n[0] for n in notes if isinstance(n[0], int)]:
        for k in range(max(at - 2, 1), at + 1):
            if k <= len(lines) and "false positive" in lines[k - 1].lower():
                return True
    return False


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError:
        die(f"cannot run '{cmd[0]}'")
    except subprocess.TimeoutExpired:
        die(f"timed out: {shlex.join(cmd)}")
    return p


def clang_major(clang):
    m = re.search(r"version (\d+)\.", run([clang, "--version"]).stdout)
    if not m:
        die(f"cannot tell the version of '{clang}'")
    return int(m.group(1))


def crashed(p):
    return p.returncode < 0 or "PLEASE submit a bug report" in p.stderr \
        or "Stack dump:" in p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", required=True, help="folder with clang/test/... (fetch_clang_tests.sh)")
    ap.add_argument("--plugin", required=True, help="libfearless-tidy.so")
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--clang-tidy", default="clang-tidy-19")
    ap.add_argument("--tests", nargs="+", default=TESTS, metavar="REL",
                    help="test files under SRC/clang/test (default: the thread-safety tests)")
    ap.add_argument("--json", help="also write the per-run counts and differences here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every difference")
    a = ap.parse_args()
    if not os.path.isfile(a.plugin):
        die(f"plugin not found: {a.plugin}")

    major = clang_major(a.clang)
    total = collections.Counter()
    results, failed, files = [], False, 0
    for rel in a.tests:
        path = os.path.join(a.src, "clang", "test", rel)
        if not os.path.isfile(path):
            if rel in TESTS and rel != TESTS[0] and \
                    os.path.isfile(os.path.join(a.src, "clang", "test", TESTS[0])):
                print(f"{rel}: not in LLVM {major}'s tests")
                continue
            die(f"missing test file {rel} under {a.src} (run fetch_clang_tests.sh)")
        files += 1
        with open(path, encoding="utf-8", errors="replace") as f:
            source = f.read().splitlines()
        for n, line in enumerate(run_lines(path), 1):
            args, opts, clang_w = configuration(line, rel.endswith(".c"), major)
            ref = run([a.clang, "-fsyntax-only", "-fno-color-diagnostics",
                       "-fno-caret-diagnostics", "-ferror-limit=0"] + clang_w + args + [path])
            config = "{CheckOptions: {%s}}" % ", ".join(
                f"fearless-guarded-by.{k}: {str(v).lower()}" for k, v in opts.items())
            tidy = run([a.clang_tidy, f"--load={a.plugin}", "--checks=-*,fearless-guarded-by",
                        f"--config={config}", "--quiet", path, "--",
                        "-fno-caret-diagnostics", "-ferror-limit=0"] + args)
            if crashed(ref) or crashed(tidy):
                die(f"{rel} RUN {n}: a tool crashed:\n{ref.stderr[-2000:]}{tidy.stderr[-2000:]}")
            want = parse(ref.stdout + ref.stderr, path,
                         lambda m: m.group("kind") == "warning" and (m.group("flag") or "")[2:] in ANALYSIS_FLAGS)
            got = parse(tidy.stdout, path,
                        lambda m: m.group("kind") == "warning" and m.group("flag") == "fearless-guarded-by")
            dups = sorted(k for k, c in want.items() if c > 1)
            want, got = set(want), set(got)
            missing, extra = want - got, got - want
            fixed = {k for k in missing if clang_false_positive(source, k)}
            missing -= fixed
            same = len(want & got)
            total.update(clang=len(want), fearless=len(got), same=same,
                         missing=len(missing), extra=len(extra), duplicates=len(dups),
                         fixed=len(fixed))
            failed |= bool(missing or extra)
            print(f"{rel} RUN {n}: clang {len(want)}, fearless {len(got)}, same {same}, "
                  f"only clang {len(missing)}, only fearless {len(extra)}"
                  + (f", Clang's own false positives not reported {len(fixed)}" if fixed else ""))
            for l, c, msg, _ in sorted(fixed):
                print(f"  (Clang's test calls this a false positive: {rel}:{l}:{c}: {msg})")
            for l, c, msg, _ in dups:
                print(f"  (clang prints this one more than once: {rel}:{l}:{c}: {msg})")
            diffs = [("only clang", k) for k in sorted(missing)] + \
                    [("only fearless", k) for k in sorted(extra)]
            for side, (l, c, msg, notes) in diffs[: None if a.verbose else 10]:
                print(f"  {side}: {rel}:{l}:{c}: {msg}")
                for nl, nc, nmsg in notes:
                    print(f"    note {nl}:{nc}: {nmsg}")
            if len(diffs) > 10 and not a.verbose:
                print(f"  ... {len(diffs) - 10} more (-v prints all)")
            results.append({"test": rel, "run": n, "options": opts,
                            "clang": len(want), "fearless": len(got),
                            "same": same,
                            "clang_false_positives_not_reported": [
                                {"line": k[0], "column": k[1], "message": k[2]}
                                for k in sorted(fixed)],
                            "differences": [
                                {"side": s, "line": k[0], "column": k[1], "message": k[2]}
                                for s, k in diffs]})
    print(f"total: clang {total['clang']}, fearless {total['fearless']}, same {total['same']}, "
          f"only clang {total['missing']}, only fearless {total['extra']}, "
          f"Clang's own false positives not reported {total['fixed']} "
          f"({len(results)} runs of {files} files, LLVM {major})")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"total": dict(total), "runs": results}, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

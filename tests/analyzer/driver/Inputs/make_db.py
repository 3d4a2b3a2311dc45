#!/usr/bin/env python3
"""Writes OUT_DIR/compile_commands.json for the given sources, absolute paths.

  make_db.py [--include=DIR]... OUT_DIR SOURCE...

Sources are made absolute; the project's include/ folder next to a source's
src/ folder is on the include path, like a real CMake project's.
"""
import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--include", action="append", default=[])
parser.add_argument("out_dir")
parser.add_argument("sources", nargs="+")
args = parser.parse_args()

os.makedirs(args.out_dir, exist_ok=True)
entries = []
for src in args.sources:
    src = os.path.abspath(src)
    project = os.path.dirname(os.path.dirname(src))
    includes = [os.path.join(project, "include")] + args.include
    entries.append({
        "directory": os.path.abspath(args.out_dir),
        "file": src,
        "arguments": ["c++", "-std=c++20"] + [f"-I{d}" for d in includes]
                     + ["-c", src, "-o", os.path.basename(src) + ".o"],
    })
with open(os.path.join(args.out_dir, "compile_commands.json"), "w") as f:
    json.dump(entries, f, indent=2)

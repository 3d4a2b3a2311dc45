#!/usr/bin/env python3
"""Writes OUT_DIR/compile_commands.json for the given sources.

  make_db.py [--include=DIR]... [--flag=FLAG]... [--command] [--relative]
             OUT_DIR SOURCE...

Sources are made absolute; the project's include/ folder next to a source's
src/ folder is on the include path, like a real CMake project's. --flag adds
a compile flag; --command writes a "command" string instead of "arguments";
--relative writes "file", the source argument and the project's include
folder relative to "directory", as Meson and `ninja -t compdb` do.
"""
import argparse
import json
import os
import shlex

parser = argparse.ArgumentParser()
parser.add_argument("--include", action="append", default=[])
parser.add_argument("--flag", action="append", default=[])
parser.add_argument("--command", action="store_true")
parser.add_argument("--relative", action="store_true")
parser.add_argument("out_dir")
parser.add_argument("sources", nargs="+")
args = parser.parse_args()

os.makedirs(args.out_dir, exist_ok=True)
directory = os.path.abspath(args.out_dir)
entries = []
for src in args.sources:
    src = os.path.abspath(src)
    project = os.path.dirname(os.path.dirname(src))
    own_include = os.path.join(project, "include")
    if args.relative:
        src = os.path.relpath(src, directory)
        own_include = os.path.relpath(own_include, directory)
    includes = [own_include] + args.include
    arguments = (["c++", "-std=c++20"] + [f"-I{d}" for d in includes]
                 + args.flag + ["-c", src, "-o", os.path.basename(src) + ".o"])
    entry = {"directory": directory, "file": src}
    if args.command:
        entry["command"] = shlex.join(arguments)
    else:
        entry["arguments"] = arguments
    entries.append(entry)
with open(os.path.join(args.out_dir, "compile_commands.json"), "w") as f:
    json.dump(entries, f, indent=2)

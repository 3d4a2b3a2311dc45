#!/usr/bin/env python3
"""Runs fearless-check, stops it with a signal once its clang-tidy
processes run, and says what it left behind.

  signal_run.py SIGNAL CHILDREN WORK_DIR -- DRIVER ARGS...

WORK_DIR gets pids/ (one file per started child, written by
hanging-clang-tidy.sh) and tmp/ (the driver's TMPDIR). Prints the driver's
stderr, its exit status, how many children are still alive, and what is
left in tmp/.
"""
import os
import signal
import subprocess
import sys
import time

sig, children, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
driver = sys.argv[sys.argv.index("--") + 1:]
pids, tmp = os.path.join(work, "pids"), os.path.join(work, "tmp")
os.makedirs(pids)
os.makedirs(tmp)
env = dict(os.environ, TMPDIR=tmp, FAKE_TIDY_PIDS=pids)
proc = subprocess.Popen(driver, env=env, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True)
deadline = time.time() + 60
while len(os.listdir(pids)) < children and time.time() < deadline:
    time.sleep(0.05)
started = len(os.listdir(pids))
proc.send_signal(getattr(signal, sig))
try:
    _, err = proc.communicate(timeout=60)
except subprocess.TimeoutExpired:
    proc.kill()
    _, err = proc.communicate()
    print("driver hung after", sig)
sys.stdout.write(err)
print(f"exit={proc.returncode}")
print(f"children started: {started}")
alive = 0
for name in os.listdir(pids):
    try:
        os.kill(int(name), 0)
        alive += 1
        os.kill(int(name), signal.SIGKILL)
    except ProcessLookupError:
        pass
print(f"children alive: {alive}")
print(f"temporary files left: {len(os.listdir(tmp))}")

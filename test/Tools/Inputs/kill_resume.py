"""Kills `diffc-run train` with SIGKILL at random instants and resumes it
from its checkpoint until it finishes; the log must then equal that of an
uninterrupted run, line for line, and latest.safetensors must be a complete
checkpoint after every kill.

usage: kill_resume.py DIFFC_RUN MODEL WORKDIR [--rounds N]
"""
import argparse
import filecmp
import json
import os
import random
import struct
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("diffc_run")
p.add_argument("model")
p.add_argument("work")
p.add_argument("--rounds", type=int, default=12)
a = p.parse_args()
os.makedirs(a.work, exist_ok=True)
common = ["--data", "digits", "--batch", "256", "--lr", "0.01", "--seed", "5",
          "--flip"]
# About a second of training, most of it the fsyncs of 80 checkpoints.
steps = 240
full_log = os.path.join(a.work, "full.csv")
subprocess.run([a.diffc_run, a.model, "train", *common, "--steps", str(steps),
                "--log", full_log], check=True, stderr=subprocess.DEVNULL)

ckdir = os.path.join(a.work, "ck")
latest = os.path.join(ckdir, "latest.safetensors")
log = os.path.join(a.work, "part.csv")
rng = random.Random(1)
kills = 0


def check_latest():
    """latest.safetensors parses and holds every tensor its header names."""
    with open(latest, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    end = max(v["data_offsets"][1] for k, v in header.items()
              if k != "__metadata__")
    assert len(data) == 8 + n + end, "latest.safetensors is truncated"
    return int(header["__metadata__"]["diffc.step"])


for round in range(a.rounds + 1):
    argv = [a.diffc_run, a.model, "train", "--steps", str(steps),
            "--log", log, "--checkpoint-every", "3"]
    if os.path.exists(latest):
        argv += ["--resume", latest]
    else:
        argv += [*common, "--checkpoint-dir", ckdir]
    proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    if round < a.rounds:
        time.sleep(rng.uniform(0.02, 0.25))
        if proc.poll() is None:
            proc.kill()
            kills += 1
    rc = proc.wait()
    if os.path.exists(latest):
        step = check_latest()
    if rc == 0:
        break
else:
    sys.exit("FAIL: the run never finished")

same = filecmp.cmp(full_log, log, shallow=False)
print(f"{'ok' if same else 'FAIL'}: {kills} kills, resumed to step {step}; "
      f"the log {'equals' if same else 'differs from'} the uninterrupted run's")
sys.exit(0 if same else 1)

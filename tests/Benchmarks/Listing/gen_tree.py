#!/usr/bin/env python3
"""Creates the listing benchmark tree: DIRS directories x FILES small files (default 100 x 100 = 10,000 files).

Usage: gen_tree.py [ROOT] [DIRS] [FILES]   (ROOT defaults to /tmp/pcrs-peers/data/bench10k, served by every peer).
Deterministic names, sizes and mtimes; idempotent (an existing complete tree is left alone).
"""
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/pcrs-peers/data/bench10k"
dirs = int(sys.argv[2]) if len(sys.argv) > 2 else 100
files = int(sys.argv[3]) if len(sys.argv) > 3 else 100
base_mtime = 1_700_000_000  # 2023-11-14, fixed so every run lists the same times

created = 0
for d in range(dirs):
    directory = os.path.join(root, f"d{d:03d}")
    os.makedirs(directory, exist_ok=True)
    for f in range(files):
        path = os.path.join(directory, f"tile_{d:03d}_{f:03d}.tif")
        if os.path.exists(path):
            continue
        size = 64 + (d * files + f) % 961  # 64..1024 bytes
        with open(path, "wb") as out:
            out.write(bytes((d + f + i) % 251 for i in range(size)))
        os.utime(path, (base_mtime + d * files + f, base_mtime + d * files + f))
        created += 1
    os.chmod(directory, 0o755)
os.chmod(root, 0o755)
total = sum(len(names) for _, _, names in os.walk(root))
print(f"{root}: {dirs} dirs, {total} files ({created} created)")

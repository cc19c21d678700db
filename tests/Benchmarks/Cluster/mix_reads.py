#!/usr/bin/python3
"""File reads and bytes the national mix's servers logged in each phase, per protocol (run.sh --mix national).

usage: mix_reads.py SIZES LOGLIST DRIVER_JSON
SIZES: lines "unix-time size-of-log-1 size-of-log-2 ...", sampled every 0.5 s (sizes in LOGLIST's order).
A phase's log text is what each log grew by between the last sample at or before the phase's start and the first
sample at or after its end (+1 s). Samples bracket the phase, so a read near a boundary is counted in both phases
rather than in neither: the rescan's "no byte read" can only be overstated, never hidden.
Prints one JSON object: {"full": {protocol: [reads, bytes]}, "rescan": {...}}.
"""
import bisect
import json
import re
import sys

# vsftpd_log_file (xferlog_std_format=NO); a FAIL line of a transfer that sent nothing has no byte count.
VSFTPD = re.compile(r'(?:OK|FAIL) DOWNLOAD: Client "[^"]*", "[^"]*"(?:, (\d+) bytes)?')
SFTP = re.compile(r'close "[^"]*" bytes read (\d+) written \d+')   # sftp-server -e -l INFO, one line per file handle
HTTP = re.compile(r'^\S+ (\d{3}) (\d+|-) "GET (\S+)')               # "time status bytes request" (nginx and Apache)


def protocol(log):
    name = log.rsplit('/', 1)[-1]
    if name.startswith('nginx'):
        return 'nginx'
    if name.startswith('apache2'):
        return 'apache'
    if name.startswith('ftps-'):
        return 'ftps'
    if name.startswith('ftp-'):
        return 'ftp'
    if name.startswith('sftp-server'):
        return 'sftp'
    return None


def reads(kind, text):
    """(reads, bytes) of file content in a log's text: listings (a path ending in '/', directory handles) excluded."""
    n = total = 0
    for line in text.splitlines():
        if kind in ('nginx', 'apache'):
            m = HTTP.match(line)
            if m and not m.group(3).endswith('/') and m.group(1) in ('200', '206'):
                n, total = n + 1, total + (0 if m.group(2) == '-' else int(m.group(2)))
        else:
            m = (VSFTPD if kind in ('ftp', 'ftps') else SFTP).search(line)
            if m:
                n, total = n + 1, total + int(m.group(1) or 0)
    return n, total


def main():
    sizes_file, list_file, driver_file = sys.argv[1:4]
    logs = [line.strip() for line in open(list_file) if line.strip()]
    samples = [list(map(float, line.split())) for line in open(sizes_file) if len(line.split()) == len(logs) + 1]
    times = [s[0] for s in samples]
    driver = json.load(open(driver_file))
    out = {}
    for phase in ('full', 'rescan'):
        start = max(bisect.bisect_right(times, driver[phase]['StartedAt']) - 1, 0)
        end = min(bisect.bisect_left(times, driver[phase]['EndedAt'] + 1), len(samples) - 1)
        per = {}
        for k, log in enumerate(logs):
            kind = protocol(log)
            if kind is None:
                continue
            a, b = int(samples[start][k + 1]), int(samples[end][k + 1])
            with open(log, 'rb') as f:
                f.seek(a)
                text = f.read(max(b - a, 0)).decode('utf-8', 'replace')
            n, total = reads(kind, text)
            r = per.setdefault(kind, [0, 0])
            r[0], r[1] = r[0] + n, r[1] + total
        out[phase] = per
    print(json.dumps(out))


main()

#!/usr/bin/python3
"""Measure the round trip the relay adds: N sequential small HTTP requests on one keep-alive connection, and N
sequential TCP connects + one-byte exchanges, direct versus through the relay. Prints one JSON line.

usage: measure_rtt.py DIRECT_HOST RELAY_HOST PORT PATH [N]
"""
import http.client
import json
import statistics
import sys
import time


def requests(host, port, path, n):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request('HEAD', path)
    conn.getresponse().read()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request('HEAD', path)
        conn.getresponse().read()
        times.append(time.perf_counter() - t)
    conn.close()
    return times


def main():
    direct, relayed, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    d = requests(direct, port, path, n)
    r = requests(relayed, port, path, n)
    print(json.dumps({
        'requests': n,
        'directTotalSeconds': round(sum(d), 4), 'relayTotalSeconds': round(sum(r), 4),
        'directMedianMs': round(statistics.median(d) * 1000, 2), 'relayMedianMs': round(statistics.median(r) * 1000, 2),
        'addedRttMedianMs': round((statistics.median(r) - statistics.median(d)) * 1000, 2),
        'addedRttMeanMs': round((sum(r) - sum(d)) / n * 1000, 2),
    }))


main()

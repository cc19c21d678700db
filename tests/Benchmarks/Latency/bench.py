#!/usr/bin/python3
"""Latency benchmark driver: ours (`Pcrs.Silo scan`) against the platform's approach (platform_scan.py), on nginx
(HTTP) and vsftpd (FTP), each direct on 127.0.0.1 and through the delay relay on 127.0.0.2. Writes a markdown table.

usage: bench.py --silo PATH/Pcrs.Silo.dll --root /latency/ --out TABLE.md [--connections 4] [--ftp-sample 40]
               [--only http,ftp] [--conditions direct,delayed] [--baseline-silo OTHER/Pcrs.Silo.dll --baseline-label COMMIT]

--baseline-silo runs another build of ours (e.g. the previous commit, built apart) with its default settings right before
ours in each condition, so both are measured under the same load; the platform rows then give one ratio for each.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = '/usr/bin/python3'  # Debian's python3 has the GDAL bindings
USER, PASSWORD = os.environ.get('PEERS_USER', 'peer'), os.environ.get('PEERS_PASS', 'peerpass')
HTTP_PORT = int(os.environ.get('PEERS_NGINX_PORT', '8081'))
FTP_PORT = int(os.environ.get('PEERS_VSFTPD_PORT', '2121'))


class RelayMeter:
    """Reads the relay's counters around one run (SIGUSR1 dumps and resets them)."""

    def __init__(self, pid, path):
        self.pid, self.path = pid, path

    def _dump(self):
        if os.path.exists(self.path):
            os.remove(self.path)
        os.kill(self.pid, signal.SIGUSR1)
        for _ in range(100):
            if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
                time.sleep(0.05)
                with open(self.path) as f:
                    return json.load(f)
            time.sleep(0.05)
        raise RuntimeError('the relay wrote no stats')

    def measure(self, run):
        self._dump()
        result = run()
        result['relay'] = self._dump()
        return result


def load():
    with open('/proc/loadavg') as f:
        return f.read().split()[0]


def run_json(command, env=None):
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.perf_counter() - started
    lines = [l for l in done.stdout.splitlines() if l.startswith('{')]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f'{command[:3]} exit {done.returncode}: {done.stderr[-800:]}')
    return json.loads(lines[-1]), wall


def ours(silo, url, connections, depth=None):
    env = dict(os.environ, PCRS_BENCH_PASSWORD=PASSWORD)
    command = ['dotnet', silo, 'scan', url, '--json', '--max-connections', str(connections)]
    if depth is not None:
        command += ['--pipeline-depth', str(depth)]
    if url.startswith('ftp'):
        command += ['--password-env', 'PCRS_BENCH_PASSWORD']
    summary, wall = run_json(command, env)
    seconds = summary['elapsedSeconds']
    return {'dataFiles': summary['dataFiles'], 'errors': summary['errors'], 'seconds': seconds,
            'filesPerSecond': summary['dataFiles'] / seconds, 'wall': wall, 'load': load(),
            'bytesPerFile': summary['bytesRead'] / max(1, summary['dataFiles'])}


def platform(args):
    result, wall = run_json([PYTHON, os.path.join(HERE, 'platform_scan.py')] + args)
    return result


def platform_http(host, root, analysis, listing):
    r = platform(['http', f'http://{host}:{HTTP_PORT}{root}', '--analysis', str(analysis), '--listing', str(listing)])
    return {'dataFiles': r['dataFiles'], 'errors': r['errors'], 'seconds': r['totalSeconds'],
            'filesPerSecond': r['filesPerSecond'], 'detail': f"listing {r['listingSeconds']} s + GDAL {r['analysisSeconds']} s",
            'load': load()}


def platform_ftp(host, root, sample):
    r = platform(['ftp', host, str(FTP_PORT), USER, PASSWORD, root.rstrip('/') or '/', '--sample', str(sample)])
    data = r['dataFiles']
    analysed = r['analysed']
    # Files are opened one after the other (concurrency 1), so the time of the whole set is the sample's per-file
    # time times the number of data files; the listing is measured on the whole tree.
    analysis = r['analysisSeconds'] * data / max(1, analysed)
    seconds = r['listingSeconds'] + analysis
    detail = f"listing {r['listingSeconds']} s + GDAL {r['analysisSeconds']} s for {analysed} files"
    if analysed < data:
        detail += f" (x{data / analysed:.1f} = {analysis:.1f} s for all)"
    detail += f", {r['ftpConnections']} FTP logins"
    return {'dataFiles': data, 'errors': r['errors'], 'seconds': seconds, 'filesPerSecond': data / seconds,
            'detail': detail, 'load': load(), 'analysed': analysed}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--silo', required=True)
    parser.add_argument('--root', default='/latency/')
    parser.add_argument('--out', required=True)
    parser.add_argument('--connections', type=int, default=4)
    parser.add_argument('--ftp-sample', type=int, default=40)
    parser.add_argument('--only', default='http,ftp')
    parser.add_argument('--conditions', default='direct,delayed')
    # HTTP pipeline depths to run ours at (same connection limit); the platform rows compare with each.
    parser.add_argument('--pipeline-depths', default='')
    parser.add_argument('--baseline-silo')
    parser.add_argument('--baseline-label', default='baseline')
    parser.add_argument('--relay-pid', type=int)
    parser.add_argument('--relay-stats')
    args = parser.parse_args()
    meter = RelayMeter(args.relay_pid, args.relay_stats) if args.relay_pid else None

    def measured(condition, run):
        return meter.measure(run) if meter and condition == 'delayed' else run()
    hosts = {'direct': '127.0.0.1', 'delayed': '127.0.0.2'}
    rows = []

    def report(row):
        rows.append(row)
        print(json.dumps(row), flush=True)

    for condition in args.conditions.split(','):
        host = hosts[condition]
        if 'http' in args.only:
            depths = [int(d) for d in args.pipeline_depths.split(',') if d] or [None]
            mine = []
            if args.baseline_silo:
                b = measured(condition, lambda: ours(args.baseline_silo, f'http://{host}:{HTTP_PORT}{args.root}', args.connections))
                side = f'{args.baseline_label}, {args.connections} connections, defaults'
                report({'condition': condition, 'protocol': 'http', 'side': side, **b})
                mine.append((side, b))
            for depth in depths:
                o = measured(condition, lambda: ours(args.silo, f'http://{host}:{HTTP_PORT}{args.root}', args.connections, depth))
                side = f'ours, {args.connections} connections' + (f', pipeline depth {depth}' if depth else '')
                report({'condition': condition, 'protocol': 'http', 'side': side, **o})
                mine.append((side, o))
            p4 = measured(condition, lambda: platform_http(host, args.root, args.connections, args.connections))
            report({'condition': condition, 'protocol': 'http', 'side': f'platform, {args.connections} at once', **p4,
                    'ratio': o['filesPerSecond'] / p4['filesPerSecond'], 'versus': mine})
            p8 = measured(condition, lambda: platform_http(host, args.root, 8, 4))
            report({'condition': condition, 'protocol': 'http', 'side': 'platform as shipped (listing 4, GDAL 8)', **p8,
                    'ratio': o['filesPerSecond'] / p8['filesPerSecond'], 'versus': mine})
        if 'ftp' in args.only:
            mine = []
            if args.baseline_silo:
                b = measured(condition, lambda: ours(args.baseline_silo, f'ftp://{USER}@{host}:{FTP_PORT}{args.root}', args.connections))
                side = f'{args.baseline_label}, {args.connections} connections, defaults'
                report({'condition': condition, 'protocol': 'ftp', 'side': side, **b})
                mine.append((side, b))
            o = measured(condition, lambda: ours(args.silo, f'ftp://{USER}@{host}:{FTP_PORT}{args.root}', args.connections))
            side = f'ours, {args.connections} connections'
            report({'condition': condition, 'protocol': 'ftp', 'side': side, **o})
            mine.append((side, o))
            p1 = platform_ftp(host, args.root, args.ftp_sample)
            report({'condition': condition, 'protocol': 'ftp', 'side': 'platform (concurrency 1, proxy)', **p1,
                    'ratio': o['filesPerSecond'] / p1['filesPerSecond'], 'versus': mine})

    with open(args.out, 'w') as f:
        f.write('| condition | protocol | side | data files | errors | seconds | files/s | ours / this | '
                'on the link: s, files/s, ours / this | load | detail |\n')
        f.write('|---|---|---|---|---|---|---|---|---|---|---|\n')
        ours_link = {}
        for r in rows:
            ratio = f"**{r['ratio']:.1f}x**" if 'ratio' in r else '-'
            if len(r.get('versus', [])) > 1:
                # Several of our runs (pipeline depths): one ratio per run, in the order of the rows above.
                ratio = ' / '.join(f"**{o['filesPerSecond'] / r['filesPerSecond']:.1f}x**" for _, o in r['versus'])
            detail = r.get('detail') or f"{r['bytesPerFile']:.0f} B read per file; wall with silo start {r['wall']:.1f} s"
            link = '-'
            if 'relay' in r and r['relay']['activeSeconds'] > 0:
                rate = r['dataFiles'] / r['relay']['activeSeconds']
                key = (r['condition'], r['protocol'])
                if 'ratio' not in r:
                    ours_link.setdefault(key, []).append(rate)
                    link = f"{r['relay']['activeSeconds']:.2f}, {rate:.1f}"
                else:
                    link = f"{r['relay']['activeSeconds']:.2f}, {rate:.1f}, " + ' / '.join(f"**{mine / rate:.1f}x**" for mine in ours_link[key])
                link += f" ({r['relay']['connections']} conn.)"
            f.write(f"| {r['condition']} | {r['protocol']} | {r['side']} | {r['dataFiles']} | {r['errors']} | "
                    f"{r['seconds']:.2f} | {r['filesPerSecond']:.1f} | {ratio} | {link} | {r['load']} | {detail} |\n")


if __name__ == '__main__':
    sys.exit(main())

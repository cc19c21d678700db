#!/usr/bin/python3
"""A TCP relay that adds a fixed one-way delay to each direction (the kernel here has no netem).

usage: delay_relay.py --listen 127.0.0.2 --target 127.0.0.1 --delay-ms 10 --ports 8081,2121,30000-30019

Every accepted connection on LISTEN:port is forwarded to TARGET:port. LISTEN and TARGET may be comma-separated lists
of the same length (the cluster benchmark's mix: one remote site per storage address): the i-th listen address
forwards to the i-th target, on every port. Each chunk read from one side is stamped with
the time it arrived and written to the other side DELAY ms later, so a request/answer exchange pays 2 x DELAY more
round-trip time while bytes keep flowing: the reader never waits for the writer (a timestamped FIFO per direction,
not a sleep per read), so throughput is not serialised by the delay. Byte order within a direction is kept (one FIFO
per direction); EOF is forwarded as a half-close after the same delay; a reset or error on either side closes both.
Each direction buffers at most WINDOW bytes in flight (like a TCP window), then stops reading until the writer
catches up. The connect to the target is also delayed by one round trip (SYN/SYN-ACK travel the same link).
Prints one line "ready" on stdout when every port listens; runs until killed. With --stats FILE, SIGUSR1 writes what
crossed the relay since the last SIGUSR1 (connections, bytes each way, and the seconds from the first byte sent
upstream to the last byte written either way) to FILE as JSON and resets the counters.
"""
import argparse
import asyncio
import collections
import json
import signal
import socket
import sys
import time

WINDOW = 256 * 1024  # in flight per direction: about 100 Mbit/s over 20 ms


class Stats:
    """What crossed the relay since the last reset: the same meter for every client, written on SIGUSR1."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.connections = 0
        self.up_bytes = 0
        self.down_bytes = 0
        self.first = None
        self.last = None

    def seen(self, upstream, n):
        now = time.monotonic()
        if upstream:
            self.up_bytes += n
            if self.first is None:
                self.first = now
        else:
            self.down_bytes += n
        self.last = now

    def dump(self, path):
        span = (self.last - self.first) if self.first is not None and self.last is not None else 0.0
        with open(path, 'w') as f:
            json.dump({'connections': self.connections, 'upBytes': self.up_bytes, 'downBytes': self.down_bytes,
                       'activeSeconds': round(span, 3)}, f)
        self.reset()


STATS = Stats()


class Direction:
    """One direction of one connection: chunks stamped on arrival, written when their time has come."""

    def __init__(self, reader, writer, delay, upstream):
        self.upstream = upstream
        self.reader = reader
        self.writer = writer
        self.delay = delay
        self.queue = collections.deque()
        self.queued_bytes = 0
        self.arrived = asyncio.Event()
        self.drained = asyncio.Event()
        self.drained.set()

    async def pump_in(self):
        try:
            while True:
                data = await self.reader.read(65536)
                self.queue.append((time.monotonic() + self.delay, data))
                self.queued_bytes += len(data)
                self.arrived.set()
                if not data:
                    return
                if self.queued_bytes >= WINDOW:
                    self.drained.clear()
                    await self.drained.wait()
        except (ConnectionError, OSError):
            self.queue.append((time.monotonic() + self.delay, None))
            self.arrived.set()

    async def pump_out(self):
        while True:
            while not self.queue:
                self.arrived.clear()
                await self.arrived.wait()
            due, data = self.queue.popleft()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                raise ConnectionResetError('the other side failed')
            if not data:
                if self.writer.can_write_eof():
                    self.writer.write_eof()
                return
            self.writer.write(data)
            STATS.seen(self.upstream, len(data))
            await self.writer.drain()
            self.queued_bytes -= len(data)
            if self.queued_bytes < WINDOW:
                self.drained.set()


async def relay(client_reader, client_writer, target, port, delay):
    # The SYN/SYN-ACK exchange crosses the delayed link too: the client's connect already completed locally, so the
    # first answer (e.g. an FTP banner) arrives one round trip later, as on a real link.
    await asyncio.sleep(delay)
    try:
        server_reader, server_writer = await asyncio.open_connection(target, port)
    except OSError:
        client_writer.close()
        return
    for w in (client_writer, server_writer):
        w.get_extra_info('socket').setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    STATS.connections += 1
    up = Direction(client_reader, server_writer, delay, True)
    down = Direction(server_reader, client_writer, delay, False)
    tasks = [asyncio.ensure_future(t) for t in (up.pump_in(), up.pump_out(), down.pump_in(), down.pump_out())]
    try:
        # Both output pumps end on a forwarded EOF; any error ends everything.
        outs = asyncio.gather(tasks[1], tasks[3])
        await outs
    except Exception:
        pass
    finally:
        for t in tasks:
            t.cancel()
        for w in (client_writer, server_writer):
            try:
                w.close()
            except Exception:
                pass


def parse_ports(text):
    ports = []
    for part in text.split(','):
        if '-' in part:
            lo, hi = part.split('-')
            ports.extend(range(int(lo), int(hi) + 1))
        else:
            ports.append(int(part))
    return ports


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--listen', default='127.0.0.2')
    parser.add_argument('--target', default='127.0.0.1')
    parser.add_argument('--delay-ms', type=float, default=10.0)
    parser.add_argument('--ports', required=True)
    parser.add_argument('--stats', help='file written (then counters reset) on SIGUSR1')
    args = parser.parse_args()
    if args.stats:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, STATS.dump, args.stats)
    delay = args.delay_ms / 1000.0
    listens, targets = args.listen.split(','), args.target.split(',')
    if len(listens) != len(targets):
        parser.error('--listen and --target need as many addresses each')
    servers = []
    for listen, target in zip(listens, targets):
        for port in parse_ports(args.ports):
            servers.append(await asyncio.start_server(
                lambda r, w, t=target, p=port: relay(r, w, t, p, delay), listen, port, reuse_address=True, backlog=256))
    print('ready', flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

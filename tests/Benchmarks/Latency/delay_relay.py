#!/usr/bin/python3
"""A TCP relay that adds a fixed one-way delay to each direction (the kernel here has no netem).

usage: delay_relay.py --listen 127.0.0.2 --target 127.0.0.1 --delay-ms 10 --ports 8081,2121,30000-30019

Every accepted connection on LISTEN:port is forwarded to TARGET:port. Each chunk read from one side is stamped with
the time it arrived and written to the other side DELAY ms later, so a request/answer exchange pays 2 x DELAY more
round-trip time while bytes keep flowing: the reader never waits for the writer (a timestamped FIFO per direction,
not a sleep per read), so throughput is not serialised by the delay. Byte order within a direction is kept (one FIFO
per direction); EOF is forwarded as a half-close after the same delay; a reset or error on either side closes both.
Each direction buffers at most WINDOW bytes in flight (like a TCP window), then stops reading until the writer
catches up. The connect to the target is also delayed by one round trip (SYN/SYN-ACK travel the same link).
Prints one line "ready" on stdout when every port listens; runs until killed.
"""
import argparse
import asyncio
import collections
import socket
import sys
import time

WINDOW = 4 * 1024 * 1024


class Direction:
    """One direction of one connection: chunks stamped on arrival, written when their time has come."""

    def __init__(self, reader, writer, delay):
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
    up = Direction(client_reader, server_writer, delay)
    down = Direction(server_reader, client_writer, delay)
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
    args = parser.parse_args()
    delay = args.delay_ms / 1000.0
    servers = []
    for port in parse_ports(args.ports):
        servers.append(await asyncio.start_server(
            lambda r, w, p=port: relay(r, w, args.target, p, delay), args.listen, port, reuse_address=True, backlog=256))
    print('ready', flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

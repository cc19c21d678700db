"""The platform's SFTP storages, reproduced for platform_scan.py (see /work/shared/research/real-pcrs-platform.md):
one cached SSH connection per storage (ssh2-sftp-client, cached per host/user/password/port); the listing walks the
tree with at most 4 directory reads in flight (`pLimit(4)`, names and attributes from the directory read itself); every
data file is then opened by GDAL /vsicurl/ through the scanner's download proxy (HEAD: a stat; a Range GET: a read
stream from the start to the end of the range), 8 opens at once, the proxy using the same cached connection.

Each thread uses its own SFTP channel of the one SSH connection (paramiko's client serialises requests on a channel;
ssh2-sftp-client pipelines them on one): the round trips per request are the same.
"""
import http.server
import re
import stat
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import paramiko


class SftpStorage:
    def __init__(self, host, port, user, password):
        # The platform trusts whatever host key the server presents (no pinning in ssh2-sftp-client's defaults).
        self.transport = paramiko.Transport((host, port))
        self.transport.connect(username=user, password=password)
        self.local = threading.local()

    def client(self):
        sftp = getattr(self.local, 'sftp', None)
        if sftp is None:
            sftp = self.local.sftp = paramiko.SFTPClient.from_transport(self.transport)
        return sftp

    def list(self, start, limit=4):
        files, directories = [], 0
        with ThreadPoolExecutor(limit) as pool:
            pending = [(start, pool.submit(lambda p=start: self.client().listdir_attr(p)))]
            while pending:
                path, future = pending.pop(0)
                for entry in future.result():
                    full = path.rstrip('/') + '/' + entry.filename
                    if stat.S_ISDIR(entry.st_mode):
                        directories += 1
                        pending.append((full, pool.submit(lambda p=full: self.client().listdir_attr(p))))
                    else:
                        files.append(full)
        return files, directories

    def close(self):
        self.transport.close()


class SftpRangeProxy(http.server.ThreadingHTTPServer):
    """The scanner's /storages/:id/files/<path> route for SFTP storages, on the storage's cached connection."""
    daemon_threads = True

    def __init__(self, storage, known_paths):
        super().__init__(('127.0.0.1', 0), SftpProxyHandler)
        self.storage = storage
        self.known_paths = known_paths


class SftpProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def _file(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        path = path[len('/files'):] if path.startswith('/files/') else None
        return path if path in self.server.known_paths else None  # the route checks the scanned tree first

    def _empty(self, status):
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def do_HEAD(self):
        path = self._file()
        if path is None:
            return self._empty(404)
        size = self.server.storage.client().stat(path).st_size
        self.send_response(200)
        self.send_header('Content-Length', str(size))
        self.send_header('Accept-Ranges', 'bytes')
        self.end_headers()

    def do_GET(self):
        path = self._file()
        if path is None:
            return self._empty(404)
        match = re.fullmatch(r'bytes=(\d+)-(\d*)', self.headers.get('Range', ''))
        if not match:
            return self._empty(416)
        sftp = self.server.storage.client()
        size = sftp.stat(path).st_size
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        with sftp.open(path, 'rb') as f:
            f.seek(start)
            data = f.read(end - start + 1)
        self.send_response(206)
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Content-Range', f'bytes {start}-{start + len(data) - 1}/{size}')
        self.end_headers()
        self.wfile.write(data)

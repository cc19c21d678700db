#!/usr/bin/python3
"""The platform in use today, reproduced: list a storage the way its scanner does, then open every data file once
with GDAL over /vsicurl/, in one long-lived process (its worker is a long-lived Node.js process using gdal-async).

usage:
  platform_scan.py http BASE_URL [--analysis N] [--listing 4]
  platform_scan.py ftp HOST PORT USER PASSWORD START_PATH [--analysis 1] [--sample N]
  platform_scan.py ftps HOST PORT USER PASSWORD START_PATH [--analysis 1] [--sample N]   (explicit FTPS, "secure")
  platform_scan.py sftp HOST PORT USER PASSWORD START_PATH [--analysis 8] [--listing 4]  (platform_sftp.py)
Prints one JSON line: files, dataFiles, analysed, errors, listingSeconds, analysisSeconds, totalSeconds, filesPerSecond.

What the platform does (see /work/shared/research/real-pcrs-platform.md and NOTES.md):
- HTTP: crawl "Index of" pages, hrefs not starting with '?' or '/', one HEAD per file, all through a limit of 4
  requests in flight on keep-alive connections; then gdal.Open('/vsicurl/<file url>') per data file, GDAL defaults,
  at most N at once (the platform says 8; gdal-async runs them on libuv's pool of 4 threads).
- FTP: one control connection lists every directory (LIST), one at a time. Then every data file is opened one at a
  time by GDAL through the scanner's own HTTP proxy, which answers each HEAD or Range request with a NEW FTP
  connection: login, FEAT, TYPE I, STRU F, OPTS UTF8 ON, SIZE, and for a range REST + passive RETR, cut after the
  requested length. The proxy runs here on 127.0.0.1 next to GDAL, so only the FTP side crosses the delayed link.
Data files are recognised by extension only (.tif .tiff .geotif .geotiff .jp2), as the platform does.
"""
import ftplib
import http.client
import http.server
import json
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from osgeo import gdal, osr

gdal.UseExceptions()
DATA_EXTENSIONS = ('.tif', '.tiff', '.geotif', '.geotiff', '.jp2')
WGS84 = osr.SpatialReference()
WGS84.ImportFromEPSG(4326)


def option(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def compute_metadata(url):
    """What the platform's computeMetadata reads from one file (driver, structure, bands, size, CRS, envelope)."""
    ds = gdal.Open('/vsicurl/' + url)
    try:
        driver = ds.GetDriver()
        if driver.GetMetadataItem('DCAP_RASTER') != 'YES':
            raise ValueError('Source file is not a raster')
        structure = ds.GetMetadata('IMAGE_STRUCTURE')
        bands = [(i, ds.GetRasterBand(i).GetColorInterpretation(), ds.GetRasterBand(i).DataType)
                 for i in range(1, ds.RasterCount + 1)]
        result = {'format': driver.ShortName, 'size': (ds.RasterXSize, ds.RasterYSize), 'bands': bands,
                  'compression': structure.get('COMPRESSION_REVERSIBILITY')}
        srs = ds.GetSpatialRef()
        gt = ds.GetGeoTransform(can_return_null=True)
        if srs is not None and gt is not None:
            to_wgs84 = osr.CoordinateTransformation(srs, WGS84)
            ring = []
            for px, py in ((0, 0), (ds.RasterXSize, 0), (ds.RasterXSize, ds.RasterYSize), (0, ds.RasterYSize)):
                x = gt[0] + px * gt[1] + py * gt[2]
                y = gt[3] + px * gt[4] + py * gt[5]
                ring.append(to_wgs84.TransformPoint(x, y)[:2])
            result['envelope'] = ring
            result['projection'] = (srs.GetAttrValue('PROJCS'), srs.GetAuthorityCode('PROJCS'))
        return result
    finally:
        ds = None


def analyse(urls, concurrency):
    errors = 0
    with ThreadPoolExecutor(concurrency) as pool:
        for outcome in pool.map(lambda u: _try(compute_metadata, u), urls):
            errors += outcome is None
    return errors


def _try(fn, arg):
    try:
        return fn(arg)
    except Exception as e:  # the platform stores the error on the file and goes on
        print(f'analysis error: {arg}: {e}', file=sys.stderr)
        return None


# ---------------------------------------------------------------- HTTP listing
class HttpLister:
    def __init__(self, base_url, limit):
        self.base = urllib.parse.urlsplit(base_url)
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(limit)  # = pLimit(limit) on a keep-alive agent

    def _request(self, method, path):
        conn = getattr(self.local, 'conn', None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.base.hostname, self.base.port or 80, timeout=60)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response, response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            self.local.conn = None
            raise

    def _page(self, path):
        response, body = self._request('GET', path)
        text = body.decode('utf-8', 'replace')
        title = re.search(r'<title>(.*?)</title>', text, re.S | re.I)
        if response.status != 200 or not title or not re.match(r'\s*(Index of|Directory of|Listing of)', title.group(1)):
            raise RuntimeError('Unable to list directory items')
        hrefs = re.findall(r'<a\s[^>]*href="([^"]*)"', text, re.I)
        return [h for h in hrefs if h not in ('./', '.', '../', '..') and not h.startswith('?') and not h.startswith('/')]

    def _head(self, path):
        response, _ = self._request('HEAD', path)
        return path, response.getheader('Content-Length'), response.getheader('Last-Modified')

    def list(self):
        files, directories = [], 0
        pending = [self.pool.submit(self._page, self.base.path)]
        page_paths = [self.base.path]
        heads = []
        while pending:
            future, parent = pending.pop(0), page_paths.pop(0)
            directories += 1
            for href in future.result():
                path = parent + href
                if href.endswith('/'):
                    pending.append(self.pool.submit(self._page, path))
                    page_paths.append(path)
                else:
                    heads.append(self.pool.submit(self._head, path))
        for h in heads:
            files.append(h.result()[0])
        self.pool.shutdown()
        origin = f'{self.base.scheme}://{self.base.netloc}'
        return [origin + f for f in files], directories - 1


# ---------------------------------------------------------------- FTP listing and proxy
class ReusingFtpTls(ftplib.FTP_TLS):
    """Explicit FTPS as the platform's FTP library speaks it with `secure`: AUTH TLS, PROT P, and data connections
    that resume the control connection's TLS session (servers such as vsftpd require it by default)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def ftp_login(host, port, user, password, secure=False):
    """A fresh connection as the platform's FTP library opens it: login, then its default settings."""
    if secure:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # self-signed storages are the norm
        context.maximum_version = ssl.TLSVersion.TLSv1_2  # a session to resume exists once the handshake is done
        ftp = ReusingFtpTls(context=context, timeout=60)
    else:
        ftp = ftplib.FTP(timeout=60)
    ftp.connect(host, port)
    ftp.login(user, password)
    if secure:
        ftp.prot_p()
    ftp.sendcmd('FEAT')
    ftp.voidcmd('TYPE I')
    ftp.sendcmd('STRU F')
    ftp.sendcmd('OPTS UTF8 ON')
    return ftp


def ftp_list(host, port, user, password, start, secure=False):
    ftp = ftp_login(host, port, user, password, secure)
    files, directories = [], 0

    def walk(path):
        nonlocal directories
        lines = []
        ftp.retrlines('LIST ' + path, lines.append)
        for line in lines:
            parts = line.split(None, 8)
            if len(parts) < 9 or parts[8] in ('.', '..'):
                continue
            full = path.rstrip('/') + '/' + parts[8]
            if line.startswith('d'):
                directories += 1
                walk(full)
            else:
                files.append(full)

    walk(start)
    ftp.quit()
    return files, directories


class FtpRangeProxy(http.server.ThreadingHTTPServer):
    """The scanner's /storages/:id/files/<path> route for FTP storages: one new FTP connection per request."""
    daemon_threads = True

    def __init__(self, ftp_args, known_paths):
        super().__init__(('127.0.0.1', 0), ProxyHandler)
        self.ftp_args = ftp_args
        self.known_paths = known_paths
        self.ftp_connections = 0


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def _file(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        return path[len('/files'):] if path.startswith('/files/') else None

    def _empty(self, status):
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def do_HEAD(self):
        path = self._file()
        if path not in self.server.known_paths:  # the route checks the scanned tree first (no FTP)
            return self._empty(404)
        self.server.ftp_connections += 1
        ftp = ftp_login(*self.server.ftp_args)
        try:
            size = ftp.size(path)
        finally:
            ftp.close()
        self.send_response(200)
        self.send_header('Content-Length', str(size))
        self.send_header('Accept-Ranges', 'bytes')
        self.end_headers()

    def do_GET(self):
        path = self._file()
        if path not in self.server.known_paths:
            return self._empty(404)
        match = re.fullmatch(r'bytes=(\d+)-(\d*)', self.headers.get('Range', ''))
        if not match:
            return self._empty(416)  # no range or several ranges: the platform's proxy answers 416 to multi-range
        self.server.ftp_connections += 1
        ftp = ftp_login(*self.server.ftp_args)
        try:
            size = ftp.size(path)
            start = int(match.group(1))
            end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
            want = end - start + 1
            data = bytearray()
            conn = ftp.transfercmd('RETR ' + path, rest=start)
            try:
                while len(data) < want:
                    chunk = conn.recv(min(65536, want - len(data)))
                    if not chunk:
                        break
                    data += chunk
            finally:
                conn.close()
        finally:
            ftp.close()  # cut off: the transfer is abandoned, as the stream limiter destroys it
        self.send_response(206)
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Content-Range', f'bytes {start}-{start + len(data) - 1}/{size}')
        self.end_headers()
        self.wfile.write(data)


def main():
    kind = sys.argv[1]
    gdal.VSICurlClearCache()
    clock = time.perf_counter()
    proxy = None
    if kind == 'http':
        urls, directories = HttpLister(sys.argv[2], option('--listing', 4)).list()
        files = len(urls)
        listed = time.perf_counter()
        data = [u for u in urls if u.lower().endswith(DATA_EXTENSIONS)]
        analysed = data
        errors = analyse(data, option('--analysis', 8))
    elif kind == 'sftp':
        from platform_sftp import SftpRangeProxy, SftpStorage
        host, port, user, password, start = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
        storage = SftpStorage(host, port, user, password)
        paths, directories = storage.list(start, option('--listing', 4))
        files = len(paths)
        listed = time.perf_counter()
        data_paths = [p for p in paths if p.lower().endswith(DATA_EXTENSIONS)]
        proxy = SftpRangeProxy(storage, set(data_paths))
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        origin = f'http://127.0.0.1:{proxy.server_address[1]}/files'
        data = analysed = [origin + urllib.parse.quote(p) for p in data_paths]
        errors = analyse(analysed, option('--analysis', 8))
    elif kind in ('ftp', 'ftps'):
        host, port, user, password, start = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
        secure = kind == 'ftps'
        paths, directories = ftp_list(host, port, user, password, start, secure)
        files = len(paths)
        listed = time.perf_counter()
        data_paths = [p for p in paths if p.lower().endswith(DATA_EXTENSIONS)]
        proxy = FtpRangeProxy((host, port, user, password, secure), set(data_paths))
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        origin = f'http://127.0.0.1:{proxy.server_address[1]}/files'
        data = [origin + urllib.parse.quote(p) for p in data_paths]
        # --sample N: open only N files spread over the tree (sequential opens cost the same per file; the caller
        # scales the time up). The listing always covers the whole tree.
        sample = option('--sample', 0)
        if 0 < sample < len(data):
            # Spread over the tree; the +i%2 keeps both formats in the sample when the stride is even.
            step = len(data) // sample
            analysed = [data[min(len(data) - 1, i * step + i % 2)] for i in range(sample)]
        else:
            analysed = data
        errors = analyse(analysed, option('--analysis', 1))
    else:
        raise SystemExit(__doc__)
    done = time.perf_counter()
    result = {
        'kind': kind, 'files': files, 'directories': directories, 'dataFiles': len(data), 'analysed': len(analysed), 'errors': errors,
        'listingSeconds': round(listed - clock, 3), 'analysisSeconds': round(done - listed, 3),
        'totalSeconds': round(done - clock, 3), 'filesPerSecond': round(len(analysed) / (done - clock), 2),
    }
    if proxy is not None:
        if kind != 'sftp':
            result['ftpConnections'] = proxy.ftp_connections
        proxy.shutdown()
    print(json.dumps(result))


if __name__ == '__main__':
    socket.setdefaulttimeout(60)
    main()

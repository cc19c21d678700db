#!/usr/bin/python3
"""Storage trees for the cluster benchmark: S storages x F distinct GeoTIFF tiles, D files per directory.

usage: /usr/bin/python3 gen_cluster_tree.py OUT --storages S --files F [--per-dir D]

GDAL writes ONE template tile (4000x4000 RGB, 5 cm, EPSG:2154, tiled DEFLATE, about 52 KB); the F distinct tiles are
copies of it whose ModelTiepoint (the tile's corner) is patched, so each has a valid header at its own place on a
200 m grid, and a name that says where (PCRS style). Storage i (OUT/s000 ...) hard-links all F tiles into directories
of D files: every storage holds F distinct files, the disk holds F tiles once (1,000,000 links cost no file data).
A sample of the tiles is checked with gdalinfo. Idempotent: a marker file records what OUT already holds.
"""
import json
import os
import struct
import subprocess
import sys

from osgeo import gdal, osr

gdal.UseExceptions()
TIEPOINT_TAG = 33922
GRID_M = 200.0       # a PCRS tile at 5 cm: 4000 px = 200 m
X0, Y0 = 600000.0, 6900000.0  # Lambert-93, somewhere in the north of France
COLUMNS = 500        # tiles per row of the grid: 100 km wide


def arg(name, default=None):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    if default is None:
        sys.exit(f'{name} is required\n' + __doc__)
    return default


def template(path):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds = gdal.GetDriverByName('GTiff').Create(path, 4000, 4000, 3, gdal.GDT_Byte,
                                              options=['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE'])
    ds.SetGeoTransform((X0, 0.05, 0.0, Y0, 0.0, -0.05))
    ds.SetSpatialRef(srs)
    for b, ci in enumerate([gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand]):
        ds.GetRasterBand(b + 1).SetColorInterpretation(ci)
    ds.GetRasterBand(1).Fill(0)
    ds = None


def tiepoint_offset(data):
    """File offset of the 6 doubles of ModelTiepointTag in a classic little-endian TIFF (what GDAL wrote)."""
    if data[:4] != b'II*\x00':
        sys.exit('template is not a little-endian classic TIFF')
    ifd = struct.unpack_from('<I', data, 4)[0]
    count = struct.unpack_from('<H', data, ifd)[0]
    for i in range(count):
        tag, typ, n, value = struct.unpack_from('<HHII', data, ifd + 2 + 12 * i)
        if tag == TIEPOINT_TAG:
            if typ != 12 or n != 6:
                sys.exit(f'unexpected tiepoint tag layout: type {typ} count {n}')
            return value
    sys.exit('template has no ModelTiepointTag')


def tile_name(k):
    x = X0 + (k % COLUMNS) * GRID_M
    y = Y0 - (k // COLUMNS) * GRID_M
    # PCRS-like: easting and northing of the upper-left corner in metres, resolution, projection.
    return f'PCRS_{int(x):07d}_{int(y):07d}_5cm_LA93.tif', x, y


def main():
    out = os.path.abspath(sys.argv[1])
    storages, files, per_dir = arg('--storages'), arg('--files'), arg('--per-dir', 250)
    wanted = {'storages': storages, 'files': files, 'per_dir': per_dir}
    marker = os.path.join(out, 'tree.json')
    if os.path.exists(marker) and json.load(open(marker)) == wanted:
        print(f'{out}: already {storages} storages x {files} files')
        return
    if os.path.exists(out) and os.listdir(out):
        # A different shape: start from scratch rather than leave stale storages or links behind.
        subprocess.run(['rm', '-rf', out], check=True)
    tiles = os.path.join(out, 'tiles')
    os.makedirs(tiles, exist_ok=True)
    tpl = os.path.join(out, 'template.tif')
    template(tpl)
    data = bytearray(open(tpl, 'rb').read())
    at = tiepoint_offset(data)
    names = []
    for k in range(files):
        name, x, y = tile_name(k)
        struct.pack_into('<6d', data, at, 0.0, 0.0, 0.0, x, y, 0.0)
        with open(os.path.join(tiles, name), 'wb') as f:
            f.write(data)
        names.append(name)
    for k in (0, files // 2, files - 1):
        info = json.loads(subprocess.run(['gdalinfo', '-json', os.path.join(tiles, names[k])], check=True,
                                         capture_output=True, text=True).stdout)
        _, x, y = tile_name(k)
        gt = info['geoTransform']
        if abs(gt[0] - x) > 1e-6 or abs(gt[3] - y) > 1e-6 or info['size'] != [4000, 4000] or len(info['bands']) != 3:
            sys.exit(f'gdalinfo disagrees on {names[k]}: {gt} {info["size"]}')
    print(f'{files} distinct tiles of {len(data)} bytes in {tiles}; gdalinfo checked 3 of them')
    for s in range(storages):
        root = os.path.join(out, f's{s:03d}')
        for k, name in enumerate(names):
            d = os.path.join(root, f'lot{k // (per_dir * 20):02d}', f'd{k // per_dir:04d}')
            if k % per_dir == 0:
                os.makedirs(d, exist_ok=True)
            os.link(os.path.join(tiles, name), os.path.join(d, name))
    subprocess.run(['chmod', '-R', 'a+rX', out], check=True)
    json.dump(wanted, open(marker, 'w'))
    print(f'{storages} storages x {files} files (hard links, {per_dir} per directory) in {out}')


main()

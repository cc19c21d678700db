#!/usr/bin/python3
"""Write the latency benchmark tree: DIRS directories x FILES distinct tiles, every one written by GDAL.

usage: /usr/bin/python3 gen_latency_tree.py OUTDIR [--dirs 20] [--files 20] [--pad-mb 20]
Tiles are 1000x1000 px at 20 cm (200 m x 200 m, the PCRS tile footprint), EPSG:2154, RGB Byte, each at its own place
on a grid, so every file has distinct header bytes. Even files are GeoTIFF (tiled 256x256, JPEG YCbCr, the usual
orthophoto layout), odd files JPEG 2000 (GDAL defaults: GeoJP2 + GMLJP2 boxes). Each file is then grown to PAD MB
with a sparse tail, so servers see real PCRS file sizes (readers that fetch the whole file pay for it) without
using the disk: a TIFF ignores bytes nobody points at, and a JPEG 2000 gets a trailing 'free' box, which readers skip.
Idempotent: existing files are kept.
"""
import os
import struct
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
OUT = os.path.abspath(sys.argv[1])


def option(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


DIRS = option('--dirs', 20)
FILES = option('--files', 20)
PAD = option('--pad-mb', 20) * 1024 * 1024
SIZE = 1000
RES = 0.2

srs = osr.SpatialReference()
srs.ImportFromEPSG(2154)
src = gdal.GetDriverByName('MEM').Create('', SIZE, SIZE, 3, gdal.GDT_Byte)
src.SetSpatialRef(srs)
rng = np.random.default_rng(7)
for b in range(3):
    base = (np.add.outer(np.arange(SIZE), np.arange(SIZE) * (b + 1)) % 256).astype(np.float32)
    base += rng.normal(0, 6, size=base.shape).astype(np.float32)
    band = src.GetRasterBand(b + 1)
    band.WriteArray(np.clip(base, 0, 255).astype(np.uint8))
    band.SetColorInterpretation([gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand][b])

tiff = gdal.GetDriverByName('GTiff')
jp2 = gdal.GetDriverByName('JP2OpenJPEG')


def pad(path, is_jp2):
    size = os.path.getsize(path)
    if size >= PAD:
        return
    if is_jp2:
        # A 'free' box with an extended (64-bit) length covering the rest of the padded file.
        with open(path, 'ab') as f:
            f.write(struct.pack('>I4sQ', 1, b'free', PAD - size))
    os.truncate(path, PAD)


made = 0
for d in range(DIRS):
    folder = os.path.join(OUT, f'd{d:03d}')
    os.makedirs(folder, exist_ok=True)
    for i in range(FILES):
        n = d * FILES + i
        # A 100 x N grid of 200 m tiles starting at (600000, 6900000) in Lambert-93.
        x0 = 600000.0 + (n % 100) * SIZE * RES
        y0 = 6900000.0 - (n // 100) * SIZE * RES
        is_jp2 = n % 2 == 1
        name = f'{int(x0 / 1000):04d}_{int(y0 / 1000):04d}_{n:05d}.{"jp2" if is_jp2 else "tif"}'
        path = os.path.join(folder, name)
        if os.path.exists(path):
            continue
        src.SetGeoTransform((x0, RES, 0.0, y0, 0.0, -RES))
        stem, ext = os.path.splitext(path)
        tmp = stem + '.part' + ext
        if is_jp2:
            jp2.CreateCopy(tmp, src, options=['QUALITY=20', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'RESOLUTIONS=4'])
        else:
            tiff.CreateCopy(tmp, src, options=['TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256', 'COMPRESS=JPEG',
                                               'PHOTOMETRIC=YCBCR'])
        for aux in (tmp + '.aux.xml',):
            if os.path.exists(aux):
                os.remove(aux)
        pad(tmp, is_jp2)
        os.replace(tmp, path)
        made += 1
print(f'{OUT}: {DIRS * FILES} tiles ({made} written now)')

#!/usr/bin/python3
"""Write the formats benchmark tiles with GDAL into OUTDIR (nginx serves it), plus N hard links of each.

usage: /usr/bin/python3 gen_bench_tiles.py OUTDIR [--copies N]
Tiles: 4000x4000 at 5 cm and 10000x10000 at 20 cm, EPSG:2154, RGB Byte; GeoTIFF striped (GDAL default layout),
GeoTIFF tiled DEFLATE 512x512, and JPEG 2000 (GDAL's default GeoJP2 + GMLJP2 boxes). Idempotent.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
OUT = os.path.abspath(sys.argv[1])
COPIES = int(sys.argv[sys.argv.index('--copies') + 1]) if '--copies' in sys.argv else 50
os.makedirs(OUT, exist_ok=True)


def source(size, res, x0, y0):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds = gdal.GetDriverByName('MEM').Create('', size, size, 3, gdal.GDT_Byte)
    ds.SetGeoTransform((x0, res, 0.0, y0, 0.0, -res))
    ds.SetSpatialRef(srs)
    rng = np.random.default_rng(size)
    row = (np.arange(size, dtype=np.float32) % 251)
    for b in range(3):
        band = ds.GetRasterBand(b + 1)
        # Row by row blocks keep memory flat on a 10000x10000 image; a little noise so codecs do real work.
        for y in range(0, size, 500):
            h = min(500, size - y)
            block = (row[None, :] + np.arange(y, y + h, dtype=np.float32)[:, None] * (b + 1)) % 256
            block += rng.normal(0, 8, size=block.shape).astype(np.float32)
            band.WriteArray(np.clip(block, 0, 255).astype(np.uint8), 0, y)
        band.SetColorInterpretation([gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand][b])
    return ds


def make(name, build):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        # The temporary name keeps the extension: GDAL picks JP2 boxes versus a raw codestream from it.
        stem, ext = os.path.splitext(path)
        tmp = stem + '.part' + ext
        build(tmp)
        os.replace(tmp, path)
    for i in range(COPIES):
        link = os.path.join(OUT, 'copies', f'{os.path.splitext(name)[0]}_{i:03d}{os.path.splitext(name)[1]}')
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if not os.path.exists(link):
            os.link(path, link)


tiff = gdal.GetDriverByName('GTiff')
jp2 = gdal.GetDriverByName('JP2OpenJPEG')
for size, res, x0, y0 in [(4000, 0.05, 652000.0, 6863000.0), (10000, 0.2, 650000.0, 6866000.0)]:
    src = source(size, res, x0, y0)
    make(f'l93_{size}_striped.tif', lambda p: tiff.CreateCopy(p, src, options=['COMPRESS=NONE' if size == 4000 else 'COMPRESS=DEFLATE', 'NUM_THREADS=ALL_CPUS']))
    make(f'l93_{size}_tiled.tif', lambda p: tiff.CreateCopy(p, src, options=['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE', 'NUM_THREADS=ALL_CPUS']))
    make(f'l93_{size}.jp2', lambda p: jp2.CreateCopy(p, src, options=['QUALITY=10', 'BLOCKXSIZE=1024', 'BLOCKYSIZE=1024', 'RESOLUTIONS=6']))
    src = None

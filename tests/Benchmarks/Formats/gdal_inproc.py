#!/usr/bin/python3
"""GDAL in one process: open each /vsicurl/ URL and read what the scanner reports (size, bands, geotransform, EPSG).

usage: /usr/bin/python3 gdal_inproc.py URLLIST   (one URL per line); prints elapsed seconds and files opened.
GDAL settings come from the environment (e.g. GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR).
"""
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]
start = time.perf_counter()
opened = 0
for url in urls:
    ds = gdal.Open('/vsicurl/' + url)
    _ = (ds.RasterXSize, ds.RasterYSize, ds.RasterCount, ds.GetGeoTransform(),
         [ds.GetRasterBand(i + 1).GetColorInterpretation() for i in range(ds.RasterCount)])
    srs = ds.GetSpatialRef()
    _ = srs.GetAuthorityCode(None) if srs is not None else None
    ds = None
    opened += 1
print(f'{time.perf_counter() - start:.6f} {opened}')

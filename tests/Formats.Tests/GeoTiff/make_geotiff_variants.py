#!/usr/bin/python3
"""Write small GeoTIFF variants with GDAL for the reader tests (Debian python3-gdal).

usage: /usr/bin/python3 make_geotiff_variants.py OUTDIR
Deterministic (seeded), idempotent: files already present are kept. Prints nothing on success.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
OUT = os.path.abspath(sys.argv[1])
os.makedirs(OUT, exist_ok=True)
W, H = 300, 200
GT_L93 = (652000.0, 0.5, 0.0, 6863000.0, 0.0, -0.5)
TIFF = gdal.GetDriverByName('GTiff')


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s


def source(bands, gt=GT_L93, epsg=2154, gdt=gdal.GDT_Byte, interp=None, seed=1, w=W, h=H):
    rng = np.random.default_rng(seed)
    ds = gdal.GetDriverByName('MEM').Create('', w, h, bands, gdt)
    if gt:
        ds.SetGeoTransform(gt)
    if epsg:
        ds.SetSpatialRef(srs(epsg))
    for b in range(bands):
        band = ds.GetRasterBand(b + 1)
        band.WriteArray((rng.random((h, w)) * 200).astype(np.float64))
        if interp:
            band.SetColorInterpretation(interp[b])
    return ds


def make(name, build):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        tmp = path + '.tmp.tif'
        build(tmp)
        os.replace(tmp, path)


RGB = [gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand]


def pixel_is_point(p):
    src = source(3, interp=RGB)
    src.SetMetadataItem('AREA_OR_POINT', 'Point')
    TIFF.CreateCopy(p, src, options=['COMPRESS=DEFLATE'])


def rotated(p):
    TIFF.CreateCopy(p, source(3, gt=(652000.0, 0.5, 0.1, 6863000.0, 0.08, -0.5), interp=RGB), options=['COMPRESS=LZW'])


def rgba(p):
    TIFF.CreateCopy(p, source(4, interp=RGB + [gdal.GCI_AlphaBand]), options=['TILED=YES', 'COMPRESS=DEFLATE', 'ALPHA=YES'])


def float_geographic(p):
    src = source(1, gt=(2.34, 0.00001, 0.0, 48.87, 0.0, -0.00001), epsg=4326, gdt=gdal.GDT_Float32)
    src.GetRasterBand(1).SetNoDataValue(-9999)
    TIFF.CreateCopy(p, src)


def many_strips(p):
    # One row per strip, uncompressed: the strip arrays are written before the GeoTIFF values.
    TIFF.CreateCopy(p, source(3, interp=RGB, w=400, h=1500), options=['COMPRESS=NONE', 'BLOCKYSIZE=1'])


def ifd_at_end(p):
    TIFF.CreateCopy(p, source(3, interp=RGB), options=['TILED=YES', 'COMPRESS=LZW'])
    ds = gdal.Open(p, gdal.GA_Update)
    ds.SetMetadataItem('TIFFTAG_IMAGEDESCRIPTION', 'edited after creation ' * 50)
    ds = None


make('point_l93_rgb_deflate.tif', pixel_is_point)
make('rotated_l93_rgb_lzw.tif', rotated)
make('bigendian_l93_rgb_strip.tif', lambda p: TIFF.CreateCopy(p, source(3, interp=RGB), options=['ENDIANNESS=BIG']))
make('bigendian_bigtiff_l93_rgb_tiled.tif', lambda p: TIFF.CreateCopy(
    p, source(3, interp=RGB), options=['ENDIANNESS=BIG', 'BIGTIFF=YES', 'TILED=YES', 'COMPRESS=DEFLATE']))
make('rgba_l93_tiled_deflate.tif', rgba)
make('float32_wgs84_nodata.tif', float_geographic)
make('gray_uint16_cc50.tif', lambda p: TIFF.CreateCopy(p, source(1, epsg=3950, gt=(1650000.0, 0.2, 0.0, 8200000.0, 0.0, -0.2), gdt=gdal.GDT_UInt16)))
make('utm20n_5490_rgb.tif', lambda p: TIFF.CreateCopy(p, source(3, epsg=5490, gt=(700000.0, 0.05, 0.0, 1620000.0, 0.0, -0.05), interp=RGB)))
make('many_strips_l93_rgb.tif', many_strips)
make('cog_l93_rgb.tif', lambda p: gdal.GetDriverByName('COG').CreateCopy(
    p, source(3, interp=RGB, w=1200, h=1000), options=['COMPRESS=DEFLATE', 'BLOCKSIZE=256', 'OVERVIEWS=AUTO']))
make('ifd_at_end_l93_rgb.tif', ifd_at_end)
make('gray_minisblack_l93.tif', lambda p: TIFF.CreateCopy(p, source(1), options=['COMPRESS=PACKBITS']))

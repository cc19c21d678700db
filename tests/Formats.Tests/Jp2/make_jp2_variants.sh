#!/bin/bash
# JPEG 2000 variants written by GDAL for the JP2 reader tests: make_jp2_variants.sh SOURCE_FIXTURES_DIR OUT_DIR
set -euo pipefail
src="$1"; out="$2"
mkdir -p "$out"
base="$src/l93_rgb_geojp2_gmljp2.jp2"
t() { gdal_translate -q "$@"; }
export GDAL_PAM_ENABLED=NO
# Geographic CRS: GMLJP2 in EPSG axis order (latitude first) must be swapped back; GeoJP2 keeps lon/lat.
t -a_srs EPSG:4326 -a_ullr 2.30 48.90 2.31 48.89 -co GeoJP2=NO -co GMLJP2=YES "$base" "$out/wgs84_gmljp2_only.jp2"
t -a_srs EPSG:4171 -a_ullr 2.30 48.90 2.31 48.89 -co GeoJP2=NO -co GMLJP2=YES -co GMLJP2V2_DEF=YES "$base" "$out/rgf93geo_gmljp2v2.jp2"
t -a_srs EPSG:4326 -a_ullr 2.30 48.90 2.31 48.89 -co GeoJP2=YES -co GMLJP2=NO "$base" "$out/wgs84_geojp2_only.jp2"
# Overseas UTM CRSs, one per carrier.
t -a_srs EPSG:5490 -a_ullr 650000 1800000 650500 1799600 -co GMLJP2V2_DEF=YES "$base" "$out/rgaf09_gmljp2v2.jp2"
t -a_srs EPSG:2975 -a_ullr 340000 7660000 340500 7659600 "$base" "$out/rgr92_default.jp2"
t -a_srs EPSG:9794 -a_ullr 652000 6863000 652500 6862600 "$base" "$out/rgf93v2b_l93.jp2"
# Rotated grid through GeoJP2 (ModelTransformation) is out of scope for gdal_translate; a south-up grid instead.
# Grey 16-bit, one band; RGBA with an alpha channel (cdef); a raw codestream with a world file (GDAL tries .jkw, .j2kw, .wld).
t -ot UInt16 -b 1 -co GMLJP2=NO "$base" "$out/gray16_geojp2.jp2"
t -b 1 -b 2 -b 3 -b 1 -colorinterp red,green,blue,alpha -co ALPHA=YES "$base" "$out/rgba.jp2"
t -co CODEC=J2K "$base" "$out/raw_with_wld.j2k"
printf '0.5\n0\n0\n-0.5\n652000.25\n6862999.75\n' > "$out/raw_with_wld.wld"
# Geo boxes rewritten after the codestream by an edit in place (gdal_edit), as tools do on delivered files.
cp "$src/l93_rgb_gmljp2_only.jp2" "$out/edited_after_jp2c.jp2"
gdal_edit.py -a_srs EPSG:3948 -a_ullr 1651993.8 7296412.8 1652493.8 7296012.8 "$out/edited_after_jp2c.jp2"
# Many tiles, several resolutions and layers, reversible.
t -co BLOCKXSIZE=128 -co BLOCKYSIZE=128 -co RESOLUTIONS=4 -co REVERSIBLE=YES -co QUALITY=100 "$base" "$out/tiled128_reversible.jp2"

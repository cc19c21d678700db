#!/usr/bin/python3
"""Write N small GeoTIFF tiles (Lambert-93, 200 m x 200 m at 5 cm, RGB) on a grid over the Toulouse area, for the load test.

usage: /usr/bin/python3 gen_tiles.py TEMPLATE OUTDIR [--tiles 100000] [--columns 400]
TEMPLATE is a 4000x4000 sparse GeoTIFF written by gdal_create (no pixel data: a few hundred bytes); every tile is a
copy with its own tie point, so each file has a distinct footprint, as in a real delivery. Tiles go in directories of
5 km x 5 km (625 tiles each), named like producers name them: <dir>/31_2024_<E km*10>_<N km*10>_LA93_5cm.tif.
Idempotent: an existing OUTDIR with the same number of tiles is kept.
"""
import os
import struct
import sys

TILE_M = 200.0           # 4000 px at 5 cm
ORIGIN_E, ORIGIN_N = 550_000.0, 6_310_000.0   # north-west corner of the grid (Toulouse is around 574 km E, 6280 km N)
BLOCK = 25               # tiles per directory side (5 km)


def main():
    args = sys.argv[1:]
    tiles, columns = 100_000, 400
    if "--tiles" in args:
        i = args.index("--tiles"); tiles = int(args[i + 1]); del args[i:i + 2]
    if "--columns" in args:
        i = args.index("--columns"); columns = int(args[i + 1]); del args[i:i + 2]
    template_path, out = args
    template = open(template_path, "rb").read()
    # The tie point's X and Y (ModelTiepointTag: i, j, k, X, Y, Z) are the only doubles with these values.
    tx = template.find(struct.pack("<d", 574000.0))
    ty = template.find(struct.pack("<d", 6280200.0))
    if tx < 0 or ty != tx + 8:
        sys.exit("template: tie point 574000/6280200 not found")
    stamp = out.rstrip("/") + ".stamp"   # next to the tree, not in it (the scan would count it)
    if os.path.exists(stamp) and open(stamp).read().strip() == str(tiles):
        print(f"{out}: {tiles} tiles already there")
        return
    data = bytearray(template)
    made_dirs = set()
    for n in range(tiles):
        col, row = n % columns, n // columns
        east = ORIGIN_E + col * TILE_M
        north = ORIGIN_N - row * TILE_M
        directory = os.path.join(out, f"E{int(ORIGIN_E / 1000) + (col // BLOCK) * 5:04d}_N{int(ORIGIN_N / 1000) - (row // BLOCK) * 5:04d}")
        if directory not in made_dirs:
            os.makedirs(directory, exist_ok=True)
            made_dirs.add(directory)
        data[tx:tx + 16] = struct.pack("<dd", east, north)
        name = f"31_2024_{int(east / 100):05d}_{int(north / 100):05d}_LA93_5cm.tif"
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    with open(stamp, "w") as f:
        f.write(str(tiles))
    print(f"{out}: {tiles} tiles in {len(made_dirs)} directories")


if __name__ == "__main__":
    main()

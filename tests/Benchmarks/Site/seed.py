#!/usr/bin/python3
"""Fill a running web front with projects for the site's benchmark and screenshots.

usage: /usr/bin/python3 seed.py BASE_URL ADMIN_TOKEN DATA_DIR STORAGE_URL [--projects 500] [--tiles-per-project 4] [--scanned 500]

Writes, for each of the first --scanned projects, a small grid of sparse GeoTIFF tiles (Lambert-93, 200 m at 5 cm,
no pixel data: a few hundred bytes each) under DATA_DIR/pNNN/ near one of ten French cities, then creates the projects
through the API (statuses, natures, régimes, actors and perimeters varied) and declares one HTTP storage per scanned
project at STORAGE_URL/pNNN/ (all on one server account: one shared crawl). Prints the project ids, one a line.
"""
import json
import os
import sys
import urllib.request

from osgeo import gdal

CITIES = [  # commune code, EPCI SIREN, département, Lambert-93 easting, northing (km), name
    ("75056", "200054781", "75", 652, 6862, "Paris"), ("69123", "200046977", "69", 842, 6519, "Lyon"),
    ("13055", "200054807", "13", 892, 6247, "Marseille"), ("31555", "243100518", "31", 574, 6280, "Toulouse"),
    ("44109", "244400404", "44", 355, 6689, "Nantes"), ("59350", "200093201", "59", 704, 7059, "Lille"),
    ("33063", "243300316", "33", 417, 6422, "Bordeaux"), ("67482", "246700488", "67", 1050, 6840, "Strasbourg"),
    ("57463", "200039865", "57", 932, 6895, "Metz"), ("35238", "243500139", "35", 351, 6789, "Rennes"),
]
STATUSES = ["investigation", "convention_signee", "marche_public_en_cours", "prod_en_cours", "controle_en_cours", "realise", "disponible", "obsolete"]
NATURES = ["raster", "vecteur", "mixte"]
REGIMES = ["production", "maj", "anticipation"]


def arg(args, name, default):
    if name in args:
        i = args.index(name); value = int(args[i + 1]); del args[i:i + 2]; return value
    return default


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def write_grid(folder, east_km, north_km, count):
    os.makedirs(folder, exist_ok=True)
    driver = gdal.GetDriverByName("GTiff")
    columns = max(1, int(count ** 0.5))
    for n in range(count):
        e = east_km * 1000 + (n % columns) * 200
        north = north_km * 1000 - (n // columns) * 200
        path = os.path.join(folder, f"{int(e / 100)}_{int(north / 100)}_LA93_5cm.tif")
        if os.path.exists(path):
            continue
        ds = driver.Create(path, 4000, 4000, 3, gdal.GDT_Byte, options=["SPARSE_OK=TRUE", "TILED=YES", "PHOTOMETRIC=RGB"])
        ds.SetGeoTransform((e, 0.05, 0, north, 0, -0.05))
        ds.SetProjection("EPSG:2154")
        ds = None


def main():
    args = sys.argv[1:]
    projects = arg(args, "--projects", 500)
    tiles = arg(args, "--tiles-per-project", 4)
    scanned = arg(args, "--scanned", projects)
    base, token, data_dir, storage_url = args
    for i in range(projects):
        commune, epci, dep, east, north, city = CITIES[i % len(CITIES)]
        # Projects of one city sit side by side, 2 km apart, so the map has 50 distinct spots per city.
        ring = i // len(CITIES)
        east_km, north_km = east + (ring % 8) * 2 - 8, north + (ring // 8) * 2 - 6
        status = STATUSES[(i * 3) % len(STATUSES)]
        steps = [{"status": "investigation", "startDate": "2019-01-15"}]
        if status != "investigation":
            steps.append({"status": status, "startDate": f"202{i % 5}-0{1 + i % 9}-01"})
        body = {
            "name": f"PCRS {city} {ring + 1:02d}" if ring else f"PCRS {city}",
            "regime": REGIMES[i % 3], "nature": NATURES[(i // 3) % 3], "budget": 50000 + 1000 * i,
            "perimeters": [f"commune:{commune}"] if ring % 3 == 0 else [f"epci:{epci}"] if ring % 3 == 1 else [f"departement:{dep}"],
            "steps": steps,
            "actors": [{"siren": "2" + epci[1:], "name": f"{city} Métropole" if i % 2 else f"Ville de {city}", "role": "porteur", "phone": None, "email": None, "financingPercent": 60, "financingEuros": None},
                       {"siren": "130025265", "name": "Énergéticiens réunis" if i % 4 else "Enedis", "role": "financeur", "phone": None, "email": None, "financingPercent": 40, "financingEuros": None}],
            "subsidies": [{"name": "Fonds européen", "nature": "feder", "amount": 20000, "date": "2021-06-30"}] if i % 5 == 0 else [],
            "sources": [],
            "deliverables": [{"id": None, "name": "Orthophotographie 5 cm", "nature": "geotiff", "licence": "ouvert_lo", "diffusion": "none",
                              "diffusionUrl": None, "diffusionLayer": None, "deliveryDate": "2024-03-01", "progress": 100}],
        }
        created = call(base, token, "POST", "/api/projects", body)
        if i < scanned:
            folder = f"p{i:03d}"
            write_grid(os.path.join(data_dir, folder), east_km, north_km, tiles)
            did = created["deliverableIds"][0]
            call(base, token, "PUT", f"/api/projects/{created['id']}/deliverables/{did}/storage",
                 {"type": "http", "url": f"{storage_url}/{folder}/", "publicConnection": False, "downloadAllowed": True})
        print(created["id"], flush=True)


if __name__ == "__main__":
    main()

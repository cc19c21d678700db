"""GDAL/PROJ as a batch oracle for CRS tests: one process answers every question (spawning gdalsrsinfo per code is slow).
Reads a JSON request on stdin, writes a JSON answer on stdout.
  {"definitions": [2154, ...]}                       -> {"definitions": {"2154": {"name", "wkt1", "esri", "wkt2"}}}
  {"identify": {"key": "<wkt>"}}                     -> {"identify": {"key": 2154 | null}}
  {"transform": [{"from": "EPSG:4326", "to": "EPSG:2154", "points": [[x, y], ...]}]}
                                                     -> {"transform": [[[x, y], ...]]}   (traditional GIS order)
"""
import json
import sys

from osgeo import osr

osr.UseExceptions()


def srs(text):
    s = osr.SpatialReference()
    s.SetFromUserInput(text)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def identify(wkt):
    s = osr.SpatialReference()
    try:
        s.SetFromUserInput(wkt)
    except RuntimeError:
        return None
    for match, confidence in s.FindMatches() or []:
        if confidence >= 90 and match.GetAuthorityName(None) == "EPSG":
            return int(match.GetAuthorityCode(None))
    return None


request = json.load(sys.stdin)
answer = {}
if "definitions" in request:
    answer["definitions"] = {}
    for code in request["definitions"]:
        s = osr.SpatialReference()
        s.ImportFromEPSG(int(code))
        answer["definitions"][str(code)] = {
            "name": s.GetName(),
            "wkt1": s.ExportToWkt(["FORMAT=WKT1_GDAL"]),
            "esri": s.ExportToWkt(["FORMAT=WKT1_ESRI"]),
            "wkt2": s.ExportToWkt(["FORMAT=WKT2_2019"]),
        }
if "identify" in request:
    answer["identify"] = {key: identify(wkt) for key, wkt in request["identify"].items()}
if "transform" in request:
    answer["transform"] = []
    for job in request["transform"]:
        ct = osr.CoordinateTransformation(srs(job["from"]), srs(job["to"]))
        answer["transform"].append([list(ct.TransformPoint(x, y)[:2]) for x, y in job["points"]])
json.dump(answer, sys.stdout)

using System.Globalization;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Union;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// The conformity report of a deliverable against the PCRS raster profile, from what the scan recorded: each rule
/// (ground resolution of 5 cm or finer, a CRS accepted for the PCRS, RGB or IRC bands, 8 bits per band) with the
/// tiles failing it and why; holes and overlaps in the union of the tiles' outlines (in the deliverable's CRS, from
/// their geotransforms); tiles whose corner or size is off the deliverable's grid; files the scan could not read; and
/// the readers' own notes per tile.
/// </summary>
public static class ConformityReport
{
    /// <summary>Tiles listed per rule at most (the counts are always complete).</summary>
    public const int MaxListed = 1000;

    /// <summary>Overlaps smaller than this (m², in a metric CRS) are rounding, not overlaps.</summary>
    private const double MinOverlapArea = 0.01;

    private sealed class Rule(string id, string title)
    {
        public string Id { get; } = id;
        public string Title { get; } = title;
        public long Passed { get; set; }
        public long Failed { get; set; }
        public JsonArray Tiles { get; } = [];

        public void Check(string path, string? failure)
        {
            if (failure is null)
            {
                Passed++;
                return;
            }
            Failed++;
            if (Tiles.Count < MaxListed)
                Tiles.Add(new JsonObject { ["chemin"] = path, ["raison"] = failure });
        }
    }

    /// <summary>
    /// The tiles <see cref="BuildAsync"/> reads, for its progress: the readable ones the scan counted (the files in error
    /// it also reads are not in that count, so a progress bar stops at its end until the report is sent).
    /// </summary>
    public static long TilesRead(DeliverableContext context) => context.Aggregate?.Tiles ?? 0;

    public static async Task<JsonObject> BuildAsync(DeliverableContext context, ITileMetadataReader catalogue, CancellationToken ct)
    {
        var resolution = new Rule("resolution", "Résolution au sol de 5 cm ou plus fine");
        var crs = new Rule("crs", "Système de référence accepté pour le PCRS");
        var bands = new Rule("bandes", "Bandes RVB ou IRC");
        var depth = new Rule("profondeur", "8 bits par bande");
        var errors = new JsonArray();
        long errorCount = 0, tiles = 0;
        var hints = new JsonArray();
        var outlines = new List<(string Path, Polygon Outline, TileRow Tile)>();
        var factory = new GeometryFactory(new PrecisionModel(1000), context.Epsg ?? 0);

        await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, context.AllTiles with { IncludeErrors = true }, ct))
        {
            if (tile.Error is not null)
            {
                if (errorCount++ < MaxListed)
                    errors.Add(new JsonObject { ["chemin"] = tile.Path, ["erreur"] = tile.Error });
                continue;
            }
            // Vector files (GML, GeoPackage…) have no raster profile to check.
            if (tile.Width is null || tile.Height is null)
                continue;
            tiles++;
            resolution.Check(tile.Path, tile.Resolution switch
            {
                null => "résolution inconnue (pas de géoréférencement)",
                > 0.05 + 1e-9 => string.Create(CultureInfo.InvariantCulture, $"résolution {tile.Resolution * 100:0.##} cm, plus grossière que 5 cm"),
                _ => null,
            });
            crs.Check(tile.Path, tile.Epsg switch
            {
                null => "aucun système de référence lu",
                int code when !CrsRegistry.IsAcceptedForPcrs(code) => $"EPSG:{code} ({CrsRegistry.NameOf(code) ?? "inconnu"}) n'est pas accepté pour le PCRS",
                _ => null,
            });
            bands.Check(tile.Path, IsRgbOrIrc(tile) ? null : $"bandes ({string.Join(", ", tile.BandNames)}) ni RVB ni IRC");
            depth.Check(tile.Path, tile.BitsPerSample == 8 ? null : $"{(tile.BitsPerSample is { } bits ? bits.ToString(CultureInfo.InvariantCulture) : "?")} bits par bande");
            if (tile.ConformityHints is { Count: > 0 } notes && hints.Count < MaxListed)
                hints.Add(new JsonObject { ["chemin"] = tile.Path, ["notes"] = new JsonArray(notes.Select(n => (JsonNode)n).ToArray()) });
            if (context.Epsg is { } epsg && tile.Epsg == epsg && TileIndexFields.NativeRing(tile) is { } ring)
                outlines.Add((tile.Path, factory.CreatePolygon(ring.Select(p => new Coordinate(p[0], p[1])).ToArray()), tile));
        }

        var rules = new JsonArray();
        foreach (var rule in new[] { resolution, crs, bands, depth })
        {
            rules.Add(new JsonObject
            {
                ["id"] = rule.Id,
                ["libelle"] = rule.Title,
                ["conforme"] = rule.Failed == 0,
                ["dallesConformes"] = rule.Passed,
                ["dallesNonConformes"] = rule.Failed,
                ["dalles"] = rule.Tiles,
            });
        }
        bool conform = rules.All(r => r!["conforme"]!.GetValue<bool>()) && errorCount == 0;
        var coverage = await Task.Run(() => Coverage(outlines), ct);
        var grid = Grid(outlines);
        return new JsonObject
        {
            ["projet"] = context.ProjectId.ToString(),
            ["livrable"] = context.Deliverable.Id.ToString(),
            ["nom"] = context.Deliverable.Document.Name,
            ["epsg"] = context.Epsg,
            ["dallesAnalysees"] = tiles,
            ["conforme"] = conform && coverage["trous"]!.GetValue<int>() == 0 && coverage["chevauchements"]!.GetValue<int>() == 0
                           && grid["dallesHorsGrille"]!.GetValue<long>() == 0,
            ["regles"] = rules,
            ["couverture"] = coverage,
            ["grille"] = grid,
            ["fichiersEnErreur"] = new JsonObject { ["nombre"] = errorCount, ["fichiers"] = errors },
            ["notesDesLecteurs"] = hints,
        };
    }

    private static bool IsRgbOrIrc(TileRow tile)
    {
        var b = tile.BandNames;
        bool rgb = b.Count >= 3 && b[0] == "Red" && b[1] == "Green" && b[2] == "Blue";
        bool irc = b.Count == 3 && (b[0] == "NIR" || tile.Path.Contains("IRC", StringComparison.OrdinalIgnoreCase));
        return (b.Count == 3 && rgb) || (b.Count == 4 && rgb && b[3] is "NIR" or "Alpha" or "Undefined") || irc;
    }

    /// <summary>Holes (interior rings of the union) and overlapping pairs, in the deliverable's CRS.</summary>
    private static JsonObject Coverage(List<(string Path, Polygon Outline, TileRow Tile)> outlines)
    {
        var holes = new JsonArray();
        var overlaps = new JsonArray();
        int holeCount = 0, overlapCount = 0;
        double holeArea = 0;
        if (outlines.Count > 0)
        {
            var union = CascadedPolygonUnion.Union(outlines.Select(o => (Geometry)o.Outline).ToList());
            for (int i = 0; i < union.NumGeometries; i++)
            {
                if (union.GetGeometryN(i) is not Polygon polygon)
                    continue;
                foreach (var hole in polygon.InteriorRings)
                {
                    holeCount++;
                    var area = hole.Factory.CreatePolygon((LinearRing)hole).Area;
                    holeArea += area;
                    if (holes.Count < MaxListed)
                    {
                        var e = hole.EnvelopeInternal;
                        holes.Add(new JsonObject { ["surfaceM2"] = Math.Round(area, 2), ["emprise"] = new JsonArray(e.MinX, e.MinY, e.MaxX, e.MaxY) });
                    }
                }
            }
            var index = new STRtree<int>();
            for (int i = 0; i < outlines.Count; i++)
                index.Insert(outlines[i].Outline.EnvelopeInternal, i);
            for (int i = 0; i < outlines.Count; i++)
            {
                foreach (int j in index.Query(outlines[i].Outline.EnvelopeInternal))
                {
                    if (j <= i)
                        continue;
                    double area = outlines[i].Outline.Intersection(outlines[j].Outline).Area;
                    if (area < MinOverlapArea)
                        continue;
                    overlapCount++;
                    if (overlaps.Count < MaxListed)
                        overlaps.Add(new JsonObject { ["dalles"] = new JsonArray(outlines[i].Path, outlines[j].Path), ["surfaceM2"] = Math.Round(area, 2) });
                }
            }
        }
        return new JsonObject
        {
            ["trous"] = holeCount,
            ["surfaceTrousM2"] = Math.Round(holeArea, 2),
            ["listeTrous"] = holes,
            ["chevauchements"] = overlapCount,
            ["listeChevauchements"] = overlaps,
        };
    }

    /// <summary>
    /// The deliverable's grid: the most common tile size, and the most common position of a tile's top-left corner
    /// modulo that size. A tile of another size, or whose corner is elsewhere (beyond 1 cm), is off the grid.
    /// </summary>
    private static JsonObject Grid(List<(string Path, Polygon Outline, TileRow Tile)> outlines)
    {
        var listed = new JsonArray();
        long off = 0;
        if (outlines.Count == 0)
            return new JsonObject { ["largeurM"] = null, ["hauteurM"] = null, ["dallesHorsGrille"] = 0L, ["dalles"] = listed };
        static double Round(double v) => Math.Round(v, 2);
        var sizes = outlines.Select(o => (W: Round(o.Outline.EnvelopeInternal.Width), H: Round(o.Outline.EnvelopeInternal.Height))).ToList();
        var size = sizes.GroupBy(s => s).OrderByDescending(g => g.Count()).First().Key;
        double Mod(double v, double m) => m <= 0 ? 0 : Round(((v % m) + m) % m);
        var origins = outlines.Select(o => (X: Mod(o.Outline.EnvelopeInternal.MinX, size.W), Y: Mod(o.Outline.EnvelopeInternal.MaxY, size.H))).ToList();
        var origin = origins.GroupBy(o => o).OrderByDescending(g => g.Count()).First().Key;
        for (int i = 0; i < outlines.Count; i++)
        {
            string? reason = null;
            if (Math.Abs(sizes[i].W - size.W) > 0.01 || Math.Abs(sizes[i].H - size.H) > 0.01)
                reason = string.Create(CultureInfo.InvariantCulture, $"taille {sizes[i].W} x {sizes[i].H} m au lieu de {size.W} x {size.H} m");
            else if (Math.Abs(origins[i].X - origin.X) > 0.01 || Math.Abs(origins[i].Y - origin.Y) > 0.01)
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"coin nord-ouest ({outlines[i].Outline.EnvelopeInternal.MinX}, {outlines[i].Outline.EnvelopeInternal.MaxY}) hors de la grille de pas {size.W} x {size.H} m");
            if (reason is null)
                continue;
            off++;
            if (listed.Count < MaxListed)
                listed.Add(new JsonObject { ["chemin"] = outlines[i].Path, ["raison"] = reason });
        }
        return new JsonObject { ["largeurM"] = size.W, ["hauteurM"] = size.H, ["dallesHorsGrille"] = off, ["dalles"] = listed };
    }
}

using System.Text.Json;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Metadata;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// What the RasterPCRS fields of a tile need besides the tile: its project (idPCRS), producer and licence, and what the
/// owner declared of the deliverable (acquisition and acceptance days, focal length).
/// </summary>
public readonly record struct RasterPcrsSubject(Guid ProjectId, string? Producer, string? Licence)
{
    public DateOnly? AcquisitionDate { get; init; }
    public DateOnly? AcceptanceDate { get; init; }
    public int? FocalLength { get; init; }

    public static RasterPcrsSubject Of(Guid projectId, ProjectDocument project, DeliverableDocument deliverable) =>
        new(projectId, RasterPcrsProperties.Producer(project), deliverable.Licence)
        {
            AcquisitionDate = deliverable.AcquisitionDate,
            AcceptanceDate = deliverable.AcceptanceDate,
            FocalLength = deliverable.FocalLength,
        };
}

/// <summary>
/// One attribute of a tile: its name, its DBF name (10 characters at most), its type and its value. A field that
/// /api/exports/dalles.geojson published under another spelling or in another unit keeps it there
/// (<see cref="ExportsName"/>, <see cref="ExportsValue"/>): published names are never renamed.
/// </summary>
public sealed record RasterPcrsField(string Name, string ShortName, TileFieldType Type, Func<RasterPcrsSubject, TileRow, object?> Value)
{
    public string? ExportsName { get; init; }
    public Func<RasterPcrsSubject, TileRow, object?>? ExportsValue { get; init; }
}

/// <summary>
/// The one owner of a tile's published attributes: the ten of the CNIG géostandard PCRS v2.0 class RasterPCRS (names
/// spelled as in CNIG_PCRS_v2.0.xsd), in the order of the platform's dalles.geojson, then that file's technical fields.
/// Both dalles.geojson files (the platform's under /data and /api/exports) are written by <see cref="WriteFeature"/>
/// and the tile indexes take the ten CNIG ones from <see cref="Cnig"/>. A field the scan cannot know is the owner's
/// declaration (acquisition and acceptance days, focal length) or null (planimetric precision classes, quality
/// description), never guessed.
/// </summary>
public static class RasterPcrsProperties
{
    /// <summary>The two published shapes of a tile feature.</summary>
    public enum Shape
    {
        /// <summary>/api/exports/dalles.geojson: its own spellings of the precision classes, resolution in centimetres to 4 decimals.</summary>
        Exports,

        /// <summary>/data/stockages/dalles.geojson: the géostandard's spellings, resolution in whole centimetres.</summary>
        Platform,
    }

    /// <summary>The ten RasterPCRS attributes, in the order they are written.</summary>
    public static readonly IReadOnlyList<RasterPcrsField> Cnig =
    [
        new("dateAcquisition", "dateAcqui", TileFieldType.Date, (s, _) => s.AcquisitionDate),
        new("dateRecette", "dateRecet", TileFieldType.Date, (s, _) => s.AcceptanceDate),
        new("descriptionElementsQualite", "descQualit", TileFieldType.Text, (_, _) => null),
        new("idPCRS", "idPCRS", TileFieldType.Text, (s, _) => s.ProjectId.ToString()),
        new("nomImage", "nomImage", TileFieldType.Text, (_, t) => StoragePaths.FileName(t.Path)),
        new("precisionPlanimetriqueCorpsDeRue", "precCorpsR", TileFieldType.Text, (_, _) => null)
            { ExportsName = "precisionplanimetriqueCorpsdeRue" },
        new("precisionPlanimetriqueZoneNaturelle", "precZoneNa", TileFieldType.Text, (_, _) => null)
            { ExportsName = "precisionplanimetriqueZonesNaturelles" },
        new("resolution", "resolution", TileFieldType.Integer, (_, t) => ResolutionCm(t.Resolution))
            // The CRSs accepted for PCRS are metric: metres to centimetres.
            { ExportsValue = (_, t) => t.Resolution is { } metres ? Math.Round(metres * 100, 4) : null },
        new("typeImage", "typeImage", TileFieldType.Text, (_, t) => PcrsVocabulary.MediaType(t.Format)),
        new("producteur", "producteur", TileFieldType.Text, (s, _) => s.Producer),
    ];

    /// <summary>The technical fields both dalles.geojson files write after the RasterPCRS ones.</summary>
    public static readonly IReadOnlyList<RasterPcrsField> Technical =
    [
        new("licence", "licence", TileFieldType.Text, (s, _) => s.Licence),
        new("tailleFichier", "taille", TileFieldType.Long, (_, t) => t.Size),
        new("tailleImage", "tailleImg", TileFieldType.Text, (_, t) => t.Width is { } w && t.Height is { } h ? $"{h}x{w}" : null),
        new("compression", "compress", TileFieldType.Text, (_, t) => t.Compression),
        new("epsg", "epsg", TileFieldType.Text, (_, t) => PcrsVocabulary.Epsg(t.Epsg)),
        new("bandes", "bandes", TileFieldType.Text, (_, t) => Bands(t)),
        new("open", "open", TileFieldType.Boolean, (s, _) => s.Licence != "ferme"),
        // The deliverable's focal length in whole millimetres, as the platform copies the livrable's onto each tile.
        new("focale", "focale", TileFieldType.Integer, (s, _) => s.FocalLength),
    ];

    /// <summary>The property names one shape publishes, in order (what the tests hold each endpoint to).</summary>
    public static IEnumerable<string> Names(Shape shape) =>
        Cnig.Concat(Technical).Select(f => shape == Shape.Exports ? f.ExportsName ?? f.Name : f.Name);

    /// <summary>One tile as a GeoJSON feature of dalles.geojson in the given shape: its WGS84 footprint and its attributes.</summary>
    public static void WriteFeature(Utf8JsonWriter writer, Shape shape, RasterPcrsSubject subject, TileRow tile)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tile);
        TileFeatureWriter.Write(writer, id: null, tile.FootprintGeoJson, Cnig.Concat(Technical).Select(field => shape == Shape.Exports
            ? KeyValuePair.Create(field.ExportsName ?? field.Name, (field.ExportsValue ?? field.Value)(subject, tile))
            : KeyValuePair.Create(field.Name, field.Value(subject, tile))));
    }

    /// <summary>
    /// The producer as the project declares it: the actor whose role is the image acquisition ("presta_vol") when
    /// exactly one is declared; otherwise null.
    /// </summary>
    public static string? Producer(ProjectDocument project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var producers = project.Actors.Where(a => a.Role == "presta_vol").Select(a => a.Name ?? a.Siren).Distinct(StringComparer.Ordinal).ToList();
        return producers.Count == 1 ? producers[0] : null;
    }

    /// <summary>Ground resolution in whole centimetres (the géostandard's integer), from metres; null when unknown.</summary>
    public static int? ResolutionCm(double? metres) => metres is { } m && double.IsFinite(m) && m > 0 ? (int)Math.Round(m * 100) : null;

    /// <summary>"Red(Byte)/Green(Byte)/Blue(Byte)" as the platform writes bands; null when unknown.</summary>
    public static string? Bands(TileRow tile) => tile.BandNames.Count == 0 ? null
        : string.Join('/', tile.BandNames.Select(b => $"{b}({PcrsVocabulary.DataType(tile.BitsPerSample)})"));
}

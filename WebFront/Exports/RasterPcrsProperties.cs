using System.Text.Json;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// The attributes of a tile under the CNIG géostandard PCRS v2.0 class RasterPCRS (names spelled as in
/// CNIG_PCRS_v2.0.xsd), in the order of the platform's dalles.geojson, followed by its technical fields. A field
/// the scan cannot know (acquisition and acceptance dates, planimetric precision classes, quality description) is
/// written null, never guessed.
/// </summary>
public static class RasterPcrsProperties
{
    /// <summary>The RasterPCRS attribute names, in the order they are written.</summary>
    public static readonly string[] CnigNames =
    [
        "dateAcquisition", "dateRecette", "descriptionElementsQualite", "idPCRS", "nomImage",
        "precisionPlanimetriqueCorpsDeRue", "precisionPlanimetriqueZoneNaturelle", "resolution", "typeImage", "producteur",
    ];

    /// <summary>
    /// The producer as the project declares it: the actor whose role is the image acquisition ("presta_vol") when
    /// exactly one is declared; otherwise null.
    /// </summary>
    public static string? Producer(ProjectDocument project)
    {
        var producers = project.Actors.Where(a => a.Role == "presta_vol").Select(a => a.Name ?? a.Siren).Distinct(StringComparer.Ordinal).ToList();
        return producers.Count == 1 ? producers[0] : null;
    }

    /// <summary>Ground resolution in whole centimetres (the géostandard's integer), from metres; null when unknown.</summary>
    public static int? ResolutionCm(double? metres) => metres is { } m && double.IsFinite(m) && m > 0 ? (int)Math.Round(m * 100) : null;

    /// <summary>The ten RasterPCRS attributes of one tile.</summary>
    public static void WriteCnig(Utf8JsonWriter writer, Guid projectId, string? producer, TileRow tile)
    {
        writer.WriteNull("dateAcquisition");
        writer.WriteNull("dateRecette");
        writer.WriteNull("descriptionElementsQualite");
        writer.WriteString("idPCRS", projectId.ToString());
        writer.WriteString("nomImage", StoragePaths.FileName(tile.Path));
        writer.WriteNull("precisionPlanimetriqueCorpsDeRue");
        writer.WriteNull("precisionPlanimetriqueZoneNaturelle");
        if (ResolutionCm(tile.Resolution) is { } cm)
            writer.WriteNumber("resolution", cm);
        else
            writer.WriteNull("resolution");
        writer.WriteString("typeImage", PcrsVocabulary.MediaType(tile.Format));
        writer.WriteString("producteur", producer);
    }

    /// <summary>The platform's technical fields after the RasterPCRS ones (dalles.geojson).</summary>
    public static void WritePlatform(Utf8JsonWriter writer, DeliverableDocument deliverable, TileRow tile)
    {
        writer.WriteString("licence", deliverable.Licence);
        if (tile.Size is { } size)
            writer.WriteNumber("tailleFichier", size);
        else
            writer.WriteNull("tailleFichier");
        writer.WriteString("tailleImage", tile.Width is { } w && tile.Height is { } h ? $"{h}x{w}" : null);
        writer.WriteString("compression", tile.Compression);
        writer.WriteString("epsg", PcrsVocabulary.Epsg(tile.Epsg));
        writer.WriteString("bandes", Bands(tile));
        writer.WriteBoolean("open", deliverable.Licence != "ferme");
        writer.WriteNull("focale");
    }

    /// <summary>"Red(Byte)/Green(Byte)/Blue(Byte)" as the platform writes bands; null when unknown.</summary>
    public static string? Bands(TileRow tile) => tile.BandNames.Count == 0 ? null
        : string.Join('/', tile.BandNames.Select(b => $"{b}({PcrsVocabulary.DataType(tile.BitsPerSample)})"));
}

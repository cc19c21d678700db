using Pcrs.Grains.Formats.Crs;

namespace Pcrs.Grains.Formats.Gml;

/// <summary>Turns a streamed GML file into the scanner's per-file result (format, CRS, extent, footprint, counts, classification).</summary>
public static class GmlTileMetadata
{
    public static async Task<TileMetadata> ReadAsync(IRangeReader file, CancellationToken cancellationToken)
    {
        GmlInfo info = await GmlReader.ReadAsync(file, null, cancellationToken).ConfigureAwait(false);
        var hints = new List<string>();
        if (info.Epsg is int epsg && !CrsRegistry.IsAcceptedForPcrs(epsg))
        {
            hints.Add($"CRS EPSG:{epsg} is not accepted for a PCRS");
        }
        else if (info.Epsg is null)
        {
            hints.Add("no CRS declared (srsName)");
        }

        if (info.Truncated)
        {
            hints.Add("feature counts are partial: " + string.Join(" ", info.Warnings));
        }

        IReadOnlyList<double>? envelope = info.Envelope;
        return new TileMetadata
        {
            Format = "GML",
            Kind = DataKind.Vector,
            Epsg = info.Epsg,
            CrsName = CrsRegistry.NameOf(info.Epsg),
            Extent = envelope,
            Footprint = envelope is null ? null : Footprint.OfEnvelope(info.Epsg, envelope[0], envelope[1], envelope[2], envelope[3]),
            FeatureCounts = info.FeatureCounts,
            GeoreferenceSource = "GML",
            Classification = info.IsPcrs ? TileClassification.PcrsVector : TileClassification.OtherVector,
            ConformityHints = hints,
            BytesRead = info.BytesRead,
        };
    }
}

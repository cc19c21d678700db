namespace Pcrs.Grains.Formats.Gml;

/// <summary>What a streamed GML file says: its CRS, its envelope and how many features of each class it holds.</summary>
public sealed record GmlInfo
{
    /// <summary>True when the document uses the CNIG PCRS namespace (http://cnig.gouv.fr/pcrs).</summary>
    public bool IsPcrs { get; init; }

    /// <summary>Local name of the root element (e.g. "PlanCorpsRueSimplifie", "FeatureCollection").</summary>
    public string? RootElement { get; init; }

    /// <summary>PCRS schema version from the root's version attribute, when present.</summary>
    public string? Version { get; init; }

    /// <summary>Horizontal EPSG code (a compound Lambert-93 + NGF height gives 2154); null when none.</summary>
    public int? Epsg { get; init; }

    public string? SrsName { get; init; }

    /// <summary>minX, minY, maxX, maxY in the CRS's easting/northing order; null when the file has no coordinates.</summary>
    public IReadOnlyList<double>? Envelope { get; init; }

    /// <summary>"boundedBy" when declared by the file, "computed" when accumulated over the geometries.</summary>
    public string? EnvelopeSource { get; init; }

    /// <summary>Features per class, prefixed as users know them ("pcrs:AffleurantEnveloppePCRS").</summary>
    public IReadOnlyDictionary<string, long> FeatureCounts { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public long FeatureCount => FeatureCounts.Values.Sum();

    /// <summary>True when the read stopped at a limit before the end of the file; counts are then lower bounds.</summary>
    public bool Truncated { get; init; }

    public long BytesRead { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}

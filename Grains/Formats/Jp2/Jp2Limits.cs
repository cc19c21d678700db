namespace Pcrs.Grains.Formats.Jp2;

/// <summary>Caps that keep the work on one file bounded whatever its bytes claim.</summary>
public sealed record Jp2Limits
{
    public static Jp2Limits Default { get; } = new();

    /// <summary>First read. GDAL's layout puts every box the scanner needs and the codestream main header in the first ~3 KB.</summary>
    public int HeadBytes { get; init; } = 4096;

    /// <summary>Total bytes fetched for one file (GDAL-written JP2s need 3–7 KB).</summary>
    public long ByteBudget { get; init; } = 4 * 1024 * 1024;

    /// <summary>Top-level and nested boxes visited.</summary>
    public int MaxBoxes { get; init; } = 1024;

    /// <summary>Largest metadata box (jp2h, uuid, asoc, xml) read into memory.</summary>
    public int MaxMetadataBoxBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes read after the end of the codestream in one request when looking for geo boxes placed there.</summary>
    public int TailBytes { get; init; } = 64 * 1024;
}

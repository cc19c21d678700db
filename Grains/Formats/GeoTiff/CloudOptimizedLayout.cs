using System.Globalization;
using System.Text;

namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>
/// Whether a TIFF is laid out as a cloud-optimised GeoTIFF, by the rules GDAL's validate_cloud_optimized_geotiff applies
/// to the structure (not to the pixels): an image wider or taller than 512 pixels is tiled (or its strips are at most
/// 1,024 pixels wide), so are its overviews; overviews shrink one after the other; the main IFD comes right after the
/// header, or after GDAL's ghost area of structural metadata, which must not declare KNOWN_INCOMPATIBLE_EDITION=YES;
/// the IFDs follow each other in the file (main, then overviews by decreasing size), all before the image data; and the
/// image data starts with the smallest overview and ends with the full resolution. Only IFD entries and the first value
/// of each offsets array are read.
/// </summary>
public static class CloudOptimizedLayout
{
    private const string GhostKey = "GDAL_STRUCTURAL_METADATA_SIZE=";
    private const int GhostHeaderLength = 43; // "GDAL_STRUCTURAL_METADATA_SIZE=000000 bytes\n"
    private const int MaxGhostSize = 64 * 1024;

    private sealed record Directory(long Offset, long SubfileType, long Width, long Height, bool Tiled, long? FirstBlockOffset);

    /// <summary>The rules the file breaks, one sentence each; empty when it is a cloud-optimised GeoTIFF.</summary>
    internal static async ValueTask<IReadOnlyList<string>> ProblemsAsync(TiffDirectoryReader reader, long firstIfd, TiffLimits limits)
    {
        var problems = new List<string>();
        var directories = new List<Directory>();
        var seen = new HashSet<long>();
        long next = firstIfd;
        while (next != 0 && directories.Count < limits.MaxIfds && seen.Add(next))
        {
            (IReadOnlyList<TiffEntry> entries, long following) = await reader.ReadIfdAsync(next).ConfigureAwait(false);
            directories.Add(await DescribeAsync(reader, next, entries).ConfigureAwait(false));
            next = following;
        }

        Directory main = directories[0];
        // Reduced-resolution images of the main image (bit 0), not transparency masks (bit 2).
        var overviews = directories.Skip(1).Where(d => (d.SubfileType & 1) != 0 && (d.SubfileType & 4) == 0).ToList();

        if ((main.Width > 512 || main.Height > 512) && !main.Tiled && main.Width > 1024)
            problems.Add("the image is larger than 512 pixels but not tiled");

        long expectedMain = reader.IsBigTiff ? 16 : 8;
        if (main.Offset != expectedMain)
        {
            var ghost = await ReadGhostAsync(reader, expectedMain).ConfigureAwait(false);
            if (ghost is not null)
            {
                if (ghost.Value.Text.Contains("KNOWN_INCOMPATIBLE_EDITION=YES", StringComparison.Ordinal))
                    problems.Add("GDAL's structural metadata says the file was edited after it was made (KNOWN_INCOMPATIBLE_EDITION=YES)");
                expectedMain += GhostHeaderLength + ghost.Value.Size;
                expectedMain += expectedMain % 2;
            }
            if (main.Offset != expectedMain)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"the main image directory is at byte {main.Offset}, not right after the header (byte {expectedMain})"));
        }

        var ifdOffsets = new List<long> { main.Offset };
        for (int i = 0; i < overviews.Count; i++)
        {
            var previous = i == 0 ? main : overviews[i - 1];
            if (overviews[i].Width > previous.Width || overviews[i].Height > previous.Height)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"overview {i} is larger than the image before it"));
            if (!overviews[i].Tiled && overviews[i].Width > 1024)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"overview {i} is not tiled"));
            if (overviews[i].Offset < ifdOffsets[^1])
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"the directory of overview {i} comes before the one of the image before it"));
            ifdOffsets.Add(overviews[i].Offset);
        }

        var dataOffsets = new List<long?> { main.FirstBlockOffset };
        dataOffsets.AddRange(overviews.Select(o => o.FirstBlockOffset));
        if (dataOffsets.Any(o => o is null))
        {
            problems.Add("an image has no block offsets");
            return problems;
        }
        if (dataOffsets[^1] < ifdOffsets[^1])
            problems.Add(overviews.Count > 0 ? "the smallest overview's data comes before its directory" : "the image data comes before its directory");
        for (int i = dataOffsets.Count - 2; i > 0; i--)
        {
            if (dataOffsets[i] < dataOffsets[i + 1])
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"the data of overview {i - 1} comes before the data of overview {i}"));
        }
        if (dataOffsets.Count >= 2 && dataOffsets[0] < dataOffsets[1])
            problems.Add("the full-resolution data comes before the overviews' data");
        return problems;
    }

    private static async ValueTask<Directory> DescribeAsync(TiffDirectoryReader reader, long offset, IReadOnlyList<TiffEntry> entries)
    {
        TiffEntry? Find(ushort tag)
        {
            foreach (var e in entries)
            {
                if (e.Tag == tag && e.ValueSize != 0 && e.Count > 0)
                    return e;
            }
            return null;
        }

        async ValueTask<long?> First(ushort tag) =>
            Find(tag) is { } e ? (long)Math.Min((await reader.ReadUnsignedAsync(e, 1).ConfigureAwait(false)).FirstOrDefault(), long.MaxValue) : null;

        bool tiled = Find(TiffTag.TileWidth) is not null;
        return new Directory(offset,
            await First(TiffTag.NewSubfileType).ConfigureAwait(false) ?? 0,
            await First(TiffTag.ImageWidth).ConfigureAwait(false) ?? 0,
            await First(TiffTag.ImageLength).ConfigureAwait(false) ?? 0,
            tiled,
            await First(tiled ? TiffTag.TileOffsets : TiffTag.StripOffsets).ConfigureAwait(false));
    }

    /// <summary>GDAL's ghost area right after the header: its declared size and text, or null when there is none.</summary>
    private static async ValueTask<(int Size, string Text)?> ReadGhostAsync(TiffDirectoryReader reader, long at)
    {
        var header = new byte[GhostHeaderLength];
        if (await reader.ReadRawAsync(at, header).ConfigureAwait(false) < header.Length)
            return null;
        var text = Encoding.Latin1.GetString(header);
        if (!text.StartsWith(GhostKey, StringComparison.Ordinal)
            || !int.TryParse(text.AsSpan(GhostKey.Length, 6), NumberStyles.None, CultureInfo.InvariantCulture, out int size)
            || size > MaxGhostSize)
            return null;
        var body = new byte[size];
        int got = await reader.ReadRawAsync(at + GhostHeaderLength, body).ConfigureAwait(false);
        return (size, Encoding.Latin1.GetString(body, 0, got));
    }
}

namespace Pcrs.Grains.Formats;

/// <summary>
/// Reads the metadata of one data file from its header bytes, fetching only the ranges it needs.
/// Never throws for bad bytes: a malformed file gives a <see cref="TileMetadata"/> with <see cref="TileMetadata.Error"/> set.
/// </summary>
public interface ITileReader
{
    /// <param name="file">The data file.</param>
    /// <param name="sidecars">Sidecar files seen in the same directory listing (world files, .prj, .aux.xml) for this file; may be empty.
    /// The reader opens only those GDAL would use, in GDAL's precedence.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<TileMetadata> ReadAsync(IRangeReader file, IReadOnlyList<IRangeReader> sidecars, CancellationToken cancellationToken);
}

using System.Globalization;
using System.Text;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>Conversions from the format readers' result to catalogue rows.</summary>
public static class TileRows
{
    /// <summary>Marks a stamp that must never match a listing, so a file that failed for a storage reason is read again next scan.</summary>
    public const string RetryStamp = CatalogueRetry.Stamp;

    public static string ClassificationLabel(TileClassification classification) => classification switch
    {
        TileClassification.PcrsRaster => "PCRS raster",
        TileClassification.PcrsVector => "PCRS vector",
        TileClassification.OtherRaster => "other raster",
        TileClassification.OtherVector => "other vector",
        _ => "unknown",
    };

    /// <summary>The row of a file whose header was read; <paramref name="file"/> is the reader it was read through (its exact facts).</summary>
    public static TileRow FromMetadata(string storageKey, string path, FileAnalysisOrder order, StorageRangeReader file, TileMetadata metadata,
        DateTimeOffset now)
    {
        var (size, modified, etag, source) = FileFacts.Exact(order, file);
        return new()
        {
            StorageKey = storageKey,
            Path = path,
            Size = size,
            ModifiedAt = modified,
            ETag = etag,
            FactsSource = source,
            ListingStamp = FileFacts.ListingStamp(order),
            SidecarSignature = order.SidecarSignature,
            Format = metadata.Format,
            Classification = ClassificationLabel(metadata.Classification),
            Width = metadata.Width,
            Height = metadata.Height,
            Bands = metadata.Bands,
            BandNames = metadata.BandNames,
            BitsPerSample = metadata.BitsPerSample,
            Epsg = metadata.Epsg,
            CrsName = metadata.CrsName,
            GeoTransform = metadata.GeoTransform,
            Resolution = metadata.Resolution,
            Compression = metadata.Compression,
            FootprintGeoJson = metadata.Footprint is { Count: >= 3 } ring ? FootprintJson(ring) : null,
            Bounds = metadata.Footprint is { Count: >= 1 } points ? Bounds(points) : null,
            BytesRead = metadata.BytesRead,
            Error = metadata.Error,
            ScanNumber = order.ScanNumber,
            ScannedAt = now,
            GeoreferenceSource = metadata.GeoreferenceSource,
            ConformityHints = metadata.ConformityHints,
            FeatureCounts = metadata.FeatureCounts,
            NativeExtent = metadata.Extent is { Count: 4 } extent ? extent : null,
            CloudOptimized = metadata.CloudOptimized,
        };
    }

    /// <summary>A file that could not be read because of the storage (not its bytes): recorded with its error, retried next scan.</summary>
    public static TileRow StorageFailure(string storageKey, string path, FileAnalysisOrder order, string error, long bytesRead, DateTimeOffset now) => new()
    {
        StorageKey = storageKey,
        Path = path,
        Size = order.SizeIsExact ? order.Size : null,
        ModifiedAt = order.LastModified,
        ETag = order.ETag,
        FactsSource = order.FactsSource,
        ListingStamp = FileFacts.ListingStamp(order),
        SidecarSignature = RetryStamp,
        Classification = ClassificationLabel(TileClassification.Unknown),
        BytesRead = bytesRead,
        Error = error,
        ScanNumber = order.ScanNumber,
        ScannedAt = now,
    };

    private static GeoBox Bounds(IReadOnlyList<GeoPoint> points) => new(
        points.Min(p => p.Longitude), points.Min(p => p.Latitude), points.Max(p => p.Longitude), points.Max(p => p.Latitude));

    /// <summary>A GeoJSON Polygon with one closed ring, coordinates in RFC 7946 order, invariant culture, round-trip precision.</summary>
    public static string FootprintJson(IReadOnlyList<GeoPoint> ring)
    {
        var json = new StringBuilder("{\"type\":\"Polygon\",\"coordinates\":[[");
        void Point(GeoPoint p) => json.Append('[').Append(p.Longitude.ToString("R", CultureInfo.InvariantCulture)).Append(',')
            .Append(p.Latitude.ToString("R", CultureInfo.InvariantCulture)).Append(']');
        for (int i = 0; i < ring.Count; i++)
        {
            if (i > 0)
                json.Append(',');
            Point(ring[i]);
        }
        if (ring[0] != ring[^1])
        {
            json.Append(',');
            Point(ring[0]);
        }
        return json.Append("]]}").ToString();
    }
}

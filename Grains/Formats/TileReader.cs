using Microsoft.Extensions.Options;
using Pcrs.Grains.Formats.GeoTiff;
using Pcrs.Grains.Formats.Reading;
using Pcrs.Grains.Formats.WorldFile;

namespace Pcrs.Grains.Formats;

/// <summary>
/// Reads one data file's metadata from its header: recognises the format by its bytes, hands the file to the format's
/// reader through a budgeted read-ahead cache, adds the sidecars GDAL would use (in GDAL's precedence), the CRS name,
/// the WGS84 footprint and the PCRS classification. Every failure becomes <see cref="TileMetadata.Error"/>.
/// </summary>
public sealed class TileReader : ITileReader
{
    private readonly TileReaderOptions _options;
    private readonly TileReaderParts _parts;

    public TileReader(IOptions<TileReaderOptions> options, TileReaderParts? parts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _parts = parts ?? TileReaderParts.Default;
    }

    public async Task<TileMetadata> ReadAsync(IRangeReader file, IReadOnlyList<IRangeReader> sidecars, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        sidecars ??= [];
        var budgeted = new BudgetedRangeReader(file, _options.MaxBytesPerFile);
        var sidecarBytes = new SidecarByteCounter();
        try
        {
            TileMetadata result = await ReadCoreAsync(file, budgeted, sidecars, sidecarBytes, cancellationToken).ConfigureAwait(false);
            return result with { BytesRead = budgeted.BytesRead + sidecarBytes.Total };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new TileMetadata
            {
                Error = ErrorSentence(ex, file.Name),
                BytesRead = budgeted.BytesRead + sidecarBytes.Total,
            };
        }
    }

    private async Task<TileMetadata> ReadCoreAsync(
        IRangeReader unbudgeted,
        BudgetedRangeReader file, IReadOnlyList<IRangeReader> sidecars, SidecarByteCounter sidecarBytes, CancellationToken ct)
    {
        if (file.Length == 0)
        {
            throw new FormatReadException("The file is empty.");
        }

        var cache = new ReadAheadRangeReader(file, _options.MinFetchBytes);
        ReadOnlyMemory<byte> head = await cache.ReadHeadAsync(_options.HeadBytes, ct).ConfigureAwait(false);
        if (head.IsEmpty && file.Length is 0 or null)
        {
            // The length was not known before reading (a listing without exact sizes): the first read found nothing.
            throw new FormatReadException("The file is empty.");
        }

        FileKind kind = FileSignature.Detect(head.Span);
        switch (kind)
        {
            case FileKind.Tiff:
                RasterHeader tiff = await ReadTiffAsync(cache, ct).ConfigureAwait(false);
                return await CompleteRasterAsync(tiff, file.Name, sidecars, sidecarBytes, ct).ConfigureAwait(false);

            case FileKind.Jp2 or FileKind.J2kCodestream:
                if (_parts.Jpeg2000 is null)
                {
                    throw new FormatReadException("JPEG 2000 headers cannot be read by this build.");
                }

                RasterHeader jp2 = await _parts.Jpeg2000(cache, ct).ConfigureAwait(false);
                return await CompleteRasterAsync(jp2, file.Name, sidecars, sidecarBytes, ct).ConfigureAwait(false);

            case FileKind.PcrsGml or FileKind.OtherGml:
                return await ReadGmlAsync(unbudgeted, kind, sidecarBytes, ct).ConfigureAwait(false);

            case FileKind.GeoPackage:
                return Vector("GeoPackage");

            case FileKind.Dxf:
                return Vector("DXF");

            default:
                throw new FormatReadException(UnrecognisedSentence(kind, file.Name));
        }
    }

    private static async Task<RasterHeader> ReadTiffAsync(IRangeReader file, CancellationToken ct)
    {
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(file, null, ct).ConfigureAwait(false);
        return new RasterHeader
        {
            Format = "GeoTIFF",
            Width = info.Width,
            Height = info.Height,
            ColorInterpretations = info.ColorInterpretations,
            BandDescriptions = info.BandDescriptions,
            BitsPerSample = info.BitsPerSample.Count > 0 ? info.BitsPerSample[0] : null,
            Compression = info.CompressionName ?? "None",
            Epsg = info.Epsg,
            GeoTransform = info.GeoTransform,
            GeoreferenceSource = info.GeoTransform is null ? null : "GeoTIFF",
            CloudOptimized = info.IsCloudOptimized,
        };
    }

    /// <summary>
    /// GDAL colour interpretations as users name bands: an undefined band described as near infrared is "NIR"
    /// (GDAL writes that description for RGBI tiles; the colour interpretation itself has no NIR value in GDAL 3.6).
    /// </summary>
    internal static IReadOnlyList<string> BandNamesOf(IReadOnlyList<string> colorInterpretations, IReadOnlyList<string?> descriptions)
    {
        var names = new string[colorInterpretations.Count];
        for (int i = 0; i < names.Length; i++)
        {
            string? description = i < descriptions.Count ? descriptions[i]?.Trim() : null;
            bool isNir = description is not null
                && (description.Equals("NIR", StringComparison.OrdinalIgnoreCase)
                    || description.Equals("PIR", StringComparison.OrdinalIgnoreCase)
                    || description.Equals("IR", StringComparison.OrdinalIgnoreCase)
                    || description.Contains("infra", StringComparison.OrdinalIgnoreCase));
            names[i] = colorInterpretations[i] is "Undefined" or "NIR" or "Gray" && isNir ? "NIR" : colorInterpretations[i];
        }

        return names;
    }

    private async Task<TileMetadata> CompleteRasterAsync(
        RasterHeader header, string fileName, IReadOnlyList<IRangeReader> sidecars, SidecarByteCounter sidecarBytes, CancellationToken ct)
    {
        // GDAL's default georeferencing sources: PAM (.aux.xml) first, then the file itself, then a world file.
        ResolvedGeoreference resolved = await _parts.Sidecars(fileName, header, sidecars, ct).ConfigureAwait(false);
        sidecarBytes.Add(resolved.BytesRead);
        IReadOnlyList<double>? geoTransform = resolved.GeoTransform;
        int? epsg = resolved.Epsg;

        var descriptions = new string?[header.ColorInterpretations.Count];
        for (int i = 0; i < descriptions.Length; i++)
        {
            descriptions[i] = resolved.BandDescriptions.TryGetValue(i + 1, out string? pam) ? pam
                : i < header.BandDescriptions.Count ? header.BandDescriptions[i] : null;
        }

        IReadOnlyList<string> bandNames = BandNamesOf(header.ColorInterpretations, descriptions);
        double? resolution = geoTransform is null ? null : ResolutionOf(geoTransform);
        IReadOnlyList<GeoPoint>? footprint = geoTransform is null || epsg is null
            ? null
            : _parts.Footprint(epsg, geoTransform, header.Width, header.Height);
        var metadata = new TileMetadata
        {
            Format = header.Format,
            Kind = DataKind.Raster,
            Width = header.Width,
            Height = header.Height,
            Bands = bandNames.Count,
            BandNames = bandNames,
            BitsPerSample = header.BitsPerSample,
            Compression = header.Compression,
            Epsg = epsg,
            CrsName = epsg is int code ? _parts.CrsName(code) : null,
            GeoTransform = geoTransform,
            GeoreferenceSource = geoTransform is null ? null : resolved.GeoTransformSource,
            CloudOptimized = header.CloudOptimized,
            Resolution = resolution,
            Extent = geoTransform is null ? null : ExtentOf(geoTransform, header.Width, header.Height),
            Footprint = footprint,
        };
        return Classify(metadata, fileName);
    }

    private TileMetadata Classify(TileMetadata m, string fileName)
    {
        var hints = new List<string>();
        if (m.GeoTransform is null)
        {
            hints.Add("no georeferencing");
        }

        if (m.Epsg is null)
        {
            hints.Add("no CRS");
        }
        else if (!_parts.IsAcceptedCrs(m.Epsg.Value))
        {
            hints.Add($"CRS EPSG:{m.Epsg} is not accepted for a PCRS");
        }

        if (m.Resolution is double r && r > 0.05 + 1e-9)
        {
            hints.Add($"resolution {r:0.###} m is coarser than 5 cm");
        }

        if (!IsRgbOrIrc(m.BandNames, fileName))
        {
            hints.Add($"bands ({string.Join(", ", m.BandNames)}) are not RGB or IRC");
        }

        return m with
        {
            Classification = hints.Count == 0 ? TileClassification.PcrsRaster : TileClassification.OtherRaster,
            ConformityHints = hints,
        };
    }

    private static bool IsRgbOrIrc(IReadOnlyList<string> bands, string fileName)
    {
        bool rgb = bands.Count >= 3 && bands[0] == "Red" && bands[1] == "Green" && bands[2] == "Blue";
        return bands.Count switch
        {
            3 => rgb,
            4 => rgb && bands[3] is "NIR" or "Undefined" or "Alpha",
            _ => false,
        } || (bands.Count == 3 && fileName.Contains("IRC", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<TileMetadata> ReadGmlAsync(IRangeReader file, FileKind kind, SidecarByteCounter extraBytes, CancellationToken ct)
    {
        if (_parts.Gml is not null)
        {
            // Streamed from byte 0 again: the head already fetched is small next to a GML document, and the XML
            // reader wants one forward stream. The header budget does not apply; the GML reader has its own limits.
            var counted = new BudgetedRangeReader(file, long.MaxValue);
            try
            {
                return await _parts.Gml(counted, ct).ConfigureAwait(false);
            }
            finally
            {
                extraBytes.Add(counted.BytesRead);
            }
        }

        return new TileMetadata
        {
            Format = "GML",
            Kind = DataKind.Vector,
            Classification = kind == FileKind.PcrsGml ? TileClassification.PcrsVector : TileClassification.OtherVector,
        };
    }

    private static TileMetadata Vector(string format) => new()
    {
        Format = format,
        Kind = DataKind.Vector,
        Classification = TileClassification.OtherVector,
    };

    /// <summary>Pixel size on the ground: |dx| for square north-up pixels, the larger side otherwise (rotation included).</summary>
    internal static double ResolutionOf(IReadOnlyList<double> gt)
    {
        double x = Math.Sqrt((gt[1] * gt[1]) + (gt[4] * gt[4]));
        double y = Math.Sqrt((gt[2] * gt[2]) + (gt[5] * gt[5]));
        return Math.Max(x, y);
    }

    internal static IReadOnlyList<double> ExtentOf(IReadOnlyList<double> gt, int width, int height)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach ((int px, int py) in new[] { (0, 0), (width, 0), (width, height), (0, height) })
        {
            double x = gt[0] + (px * gt[1]) + (py * gt[2]);
            double y = gt[3] + (px * gt[4]) + (py * gt[5]);
            minX = Math.Min(minX, x);
            minY = Math.Min(minY, y);
            maxX = Math.Max(maxX, x);
            maxY = Math.Max(maxY, y);
        }

        return [minX, minY, maxX, maxY];
    }

    private static string UnrecognisedSentence(FileKind kind, string name)
    {
        string ext = Path.GetExtension(name).ToLowerInvariant();
        string expected = ext switch
        {
            ".tif" or ".tiff" => "Not a TIFF",
            ".jp2" or ".j2k" or ".j2c" or ".jpc" or ".jpx" => "Not a JPEG 2000 file",
            ".gml" or ".xml" => "Not a GML file",
            ".gpkg" => "Not a GeoPackage",
            ".dxf" => "Not a DXF file",
            _ => "Unrecognised format",
        };
        return kind switch
        {
            FileKind.Empty => "The file is empty.",
            FileKind.Html => $"{expected}: looks like an HTML page.",
            FileKind.Xml => $"{expected}: an XML document that is not GML.",
            FileKind.Sqlite => $"{expected}: an SQLite database that is not a GeoPackage.",
            _ => $"{expected}: the first bytes match no known signature.",
        };
    }

    private static string ErrorSentence(Exception ex, string name) => ex switch
    {
        FormatReadException f => f.Message,
        ByteBudgetExceededException b => b.Message,
        OperationCanceledException => "Reading the file timed out.",
        _ => $"Reading {name} failed: {ex.Message.TrimEnd('.', ' ')}.",
    };

    private sealed class SidecarByteCounter
    {
        public long Total { get; private set; }

        public void Add(long bytes) => Total += bytes;
    }
}

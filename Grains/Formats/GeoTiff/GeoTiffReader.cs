namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>
/// Reads what GDAL would report of a TIFF/GeoTIFF from its first IFD: size, bands, compression, GeoKeys and the
/// geotransform in GDAL's convention. Only the values of the tags below are fetched; strip/tile arrays never are.
/// Failures are thrown as <see cref="FormatReadException"/> carrying one clear sentence.
/// </summary>
public static class GeoTiffReader
{
    // More values than any real file needs; enough to be read in one go, bounded whatever the file declares.
    private const ulong MaxBandValues = 1024;

    /// <summary>Reads the header of a TIFF file through a range reader (each range is fetched once by the caller's cache).</summary>
    public static async Task<GeoTiffInfo> ReadAsync(IRangeReader file, TiffLimits? limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        limits ??= TiffLimits.Default;
        (TiffDirectoryReader reader, long firstIfd) = await TiffDirectoryReader.OpenAsync(file, limits, cancellationToken).ConfigureAwait(false);
        if (firstIfd == 0)
        {
            throw new FormatReadException("The TIFF header points to no image directory (first IFD offset 0).");
        }

        (IReadOnlyList<TiffEntry> entries, long nextIfd) = await reader.ReadIfdAsync(firstIfd).ConfigureAwait(false);
        int ifdCount = await CountChainAsync(reader, firstIfd, nextIfd, limits).ConfigureAwait(false);
        GeoTiffInfo info = await DecodeDirectoryAsync(reader, entries, limits).ConfigureAwait(false);
        IReadOnlyList<string>? cog;
        try
        {
            cog = await CloudOptimizedLayout.ProblemsAsync(reader, firstIfd, limits).ConfigureAwait(false);
        }
        catch (FormatReadException e)
        {
            // The image itself was read: a layout that cannot be followed only means "not cloud-optimised".
            cog = [e.Message];
        }

        return info with
        {
            IsBigTiff = reader.IsBigTiff, IsLittleEndian = reader.Order.IsLittleEndian, FirstIfdOffset = firstIfd, IfdCount = ifdCount,
            CloudOptimizedProblems = cog,
        };
    }

    /// <summary>
    /// Decodes a complete TIFF stream held in memory, such as the degenerate GeoTIFF inside a GeoJP2 <c>uuid</c> box.
    /// Completes synchronously: nothing is fetched.
    /// </summary>
    public static GeoTiffInfo Decode(ReadOnlyMemory<byte> tiff, TiffLimits? limits = null)
    {
        Task<GeoTiffInfo> task = ReadAsync(new MemoryRangeReader("embedded.tif", tiff), limits, CancellationToken.None);

        // The memory reader completes every read inline, so the task is already finished here.
        return task.IsCompleted
            ? task.GetAwaiter().GetResult()
            : throw new InvalidOperationException("In-memory TIFF decoding did not complete synchronously.");
    }

    private static async ValueTask<int> CountChainAsync(TiffDirectoryReader reader, long firstIfd, long nextIfd, TiffLimits limits)
    {
        var seen = new HashSet<long> { firstIfd };
        int count = 1;
        while (nextIfd != 0)
        {
            if (!seen.Add(nextIfd))
            {
                throw new FormatReadException($"The TIFF directory chain loops back to offset {nextIfd}.");
            }

            if (++count > limits.MaxIfds)
            {
                throw new FormatReadException($"The TIFF file has more than {limits.MaxIfds} image directories.");
            }

            nextIfd = await reader.ReadNextIfdOffsetAsync(nextIfd).ConfigureAwait(false);
        }

        return count;
    }

    private static async ValueTask<GeoTiffInfo> DecodeDirectoryAsync(TiffDirectoryReader reader, IReadOnlyList<TiffEntry> entries, TiffLimits limits)
    {
        var byTag = new Dictionary<ushort, TiffEntry>();
        foreach (TiffEntry e in entries)
        {
            // Unknown field types are skipped as libtiff does; the first of duplicated tags wins.
            if (e.ValueSize != 0)
            {
                byTag.TryAdd(e.Tag, e);
            }
        }

        async ValueTask<ulong?> Unsigned(ushort tag)
        {
            if (!byTag.TryGetValue(tag, out TiffEntry e) || e.Count == 0)
            {
                return null;
            }

            ulong[] v = await reader.ReadUnsignedAsync(e, 1).ConfigureAwait(false);
            return v[0];
        }

        async ValueTask<int[]> UnsignedArray(ushort tag, ulong max)
        {
            if (!byTag.TryGetValue(tag, out TiffEntry e) || e.Count == 0)
            {
                return [];
            }

            ulong[] v = await reader.ReadUnsignedAsync(e, max).ConfigureAwait(false);
            return Array.ConvertAll(v, x => (int)Math.Min(x, int.MaxValue));
        }

        async ValueTask<double[]?> Doubles(ushort tag, ulong max)
        {
            return byTag.TryGetValue(tag, out TiffEntry e) && e.Count > 0
                ? await reader.ReadDoublesAsync(e, max).ConfigureAwait(false)
                : null;
        }

        ulong? width = await Unsigned(TiffTag.ImageWidth).ConfigureAwait(false);
        ulong? height = await Unsigned(TiffTag.ImageLength).ConfigureAwait(false);
        if (width is null || height is null)
        {
            throw new FormatReadException("The TIFF directory has no ImageWidth or ImageLength tag.");
        }

        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue)
        {
            throw new FormatReadException($"The TIFF image size {width} x {height} is not valid.");
        }

        ulong spp = await Unsigned(TiffTag.SamplesPerPixel).ConfigureAwait(false) ?? 1;
        if (spp is 0 or > MaxBandValues)
        {
            throw new FormatReadException($"The TIFF declares {spp} samples per pixel.");
        }

        int bands = (int)spp;
        int[] bits = await UnsignedArray(TiffTag.BitsPerSample, MaxBandValues).ConfigureAwait(false);
        if (bits.Length == 0)
        {
            bits = [1];
        }

        int compression = (int)Math.Min(await Unsigned(TiffTag.Compression).ConfigureAwait(false) ?? 1, int.MaxValue);
        int? photometric = (int?)await Unsigned(TiffTag.Photometric).ConfigureAwait(false);
        int planar = (int)Math.Min(await Unsigned(TiffTag.PlanarConfig).ConfigureAwait(false) ?? 1, int.MaxValue);
        ulong? tileWidth = await Unsigned(TiffTag.TileWidth).ConfigureAwait(false);
        ulong? tileLength = await Unsigned(TiffTag.TileLength).ConfigureAwait(false);
        ulong? rowsPerStrip = await Unsigned(TiffTag.RowsPerStrip).ConfigureAwait(false);
        int[] extraSamples = await UnsignedArray(TiffTag.ExtraSamples, spp).ConfigureAwait(false);
        int[] sampleFormats = await UnsignedArray(TiffTag.SampleFormat, 1).ConfigureAwait(false);
        int sampleFormat = sampleFormats.Length > 0 ? sampleFormats[0] : 1;

        double[]? scale = await Doubles(TiffTag.ModelPixelScale, 3).ConfigureAwait(false);
        double[]? tiepoint = await Doubles(TiffTag.ModelTiepoint, 6).ConfigureAwait(false);
        double[]? matrix = await Doubles(TiffTag.ModelTransformation, 16).ConfigureAwait(false);
        int tiepointCount = byTag.TryGetValue(TiffTag.ModelTiepoint, out TiffEntry tpEntry) ? (int)Math.Min(tpEntry.Count / 6, int.MaxValue) : 0;

        GeoKeyDirectory? geoKeys = null;
        if (byTag.TryGetValue(TiffTag.GeoKeyDirectory, out TiffEntry keyEntry) && keyEntry.Count > 0)
        {
            ulong maxShorts = 4 + (4 * (ulong)limits.MaxGeoKeys);
            if (keyEntry.Count > maxShorts)
            {
                throw new FormatReadException($"The GeoKeyDirectory holds {keyEntry.Count} values, more than the {maxShorts} allowed.");
            }

            ulong[] raw = await reader.ReadUnsignedAsync(keyEntry, maxShorts).ConfigureAwait(false);
            ushort[] directory = Array.ConvertAll(raw, x => (ushort)x);
            string? ascii = byTag.TryGetValue(TiffTag.GeoAsciiParams, out TiffEntry asciiEntry)
                ? await reader.ReadAsciiAsync(asciiEntry, (ulong)limits.MaxValueBytes).ConfigureAwait(false)
                : null;
            geoKeys = GeoKeyDirectory.Parse(directory, ascii, limits.MaxGeoKeys);
        }

        string? gdalMetadata = null;
        if (byTag.TryGetValue(TiffTag.GdalMetadata, out TiffEntry mdEntry) && mdEntry.Count <= (ulong)limits.MaxValueBytes)
        {
            gdalMetadata = await reader.ReadAsciiAsync(mdEntry, (ulong)limits.MaxValueBytes).ConfigureAwait(false);
        }

        string? noData = null;
        if (byTag.TryGetValue(TiffTag.GdalNoData, out TiffEntry ndEntry) && ndEntry.Count <= 256)
        {
            noData = (await reader.ReadAsciiAsync(ndEntry, 256).ConfigureAwait(false)).Trim();
        }

        bool pixelIsPoint = geoKeys?.RasterType == GeoKeyDirectory.PixelIsPoint;
        IReadOnlyList<string> colorInterp = GdalTiffNames.ColorInterpretations(bands, photometric, compression, extraSamples);
        var descriptions = new string?[bands];
        if (gdalMetadata is not null)
        {
            (Dictionary<int, string> ci, Dictionary<int, string> desc) = GdalMetadataXml.Parse(gdalMetadata, bands);
            string[] merged = [.. colorInterp];
            foreach ((int band, string name) in ci)
            {
                merged[band] = name;
            }

            colorInterp = merged;
            foreach ((int band, string text) in desc)
            {
                descriptions[band] = text;
            }
        }

        return new GeoTiffInfo
        {
            Width = (int)width,
            Height = (int)height,
            SamplesPerPixel = bands,
            BitsPerSample = bits,
            Compression = compression,
            Photometric = photometric,
            PlanarConfig = planar,
            TileWidth = tileWidth is null ? null : (int)Math.Min(tileWidth.Value, int.MaxValue),
            TileLength = tileLength is null ? null : (int)Math.Min(tileLength.Value, int.MaxValue),
            RowsPerStrip = rowsPerStrip is null ? null : (long)Math.Min(rowsPerStrip.Value, long.MaxValue),
            ExtraSamples = extraSamples,
            SampleFormat = sampleFormat,
            ModelPixelScale = scale,
            ModelTiepoint = tiepoint,
            TiepointCount = tiepointCount,
            ModelTransformation = matrix,
            GeoKeys = geoKeys,
            GeoTransform = GeoTransformOf(scale, tiepoint, matrix, pixelIsPoint),
            AreaOrPoint = pixelIsPoint ? "Point" : "Area",
            CompressionName = GdalTiffNames.Compression(compression, photometric),
            DataType = GdalTiffNames.DataType(sampleFormat, bits[0]),
            ColorInterpretations = colorInterp,
            BandDescriptions = descriptions,
            GdalMetadataXml = gdalMetadata,
            NoData = noData,
        };
    }

    /// <summary>
    /// GDAL's geotransform: pixel scale + first tiepoint first, else the 4x4 ModelTransformation; a PixelIsPoint raster
    /// is moved by half a pixel so the origin is the corner of the top-left pixel (GDAL's default, GTIFF_POINT_GEO_IGNORE off).
    /// Tiepoints without a scale are ground control points: no geotransform, as in GDAL.
    /// </summary>
    internal static double[]? GeoTransformOf(double[]? scale, double[]? tiepoint, double[]? matrix, bool pixelIsPoint)
    {
        double[] gt;
        if (scale is { Length: >= 2 } && scale[0] != 0 && scale[1] != 0)
        {
            // GDAL treats a negative ScaleY as north-up (it warns and keeps the image upright).
            gt = [0, scale[0], 0, 0, 0, -Math.Abs(scale[1])];
            if (tiepoint is { Length: >= 6 })
            {
                gt[0] = tiepoint[3] - (tiepoint[0] * gt[1]);
                gt[3] = tiepoint[4] - (tiepoint[1] * gt[5]);
            }
        }
        else if (matrix is { Length: 16 })
        {
            gt = [matrix[3], matrix[0], matrix[1], matrix[7], matrix[4], matrix[5]];
        }
        else
        {
            return null;
        }

        if (pixelIsPoint)
        {
            gt[0] -= (gt[1] * 0.5) + (gt[2] * 0.5);
            gt[3] -= (gt[4] * 0.5) + (gt[5] * 0.5);
        }

        foreach (double v in gt)
        {
            if (!double.IsFinite(v))
            {
                throw new FormatReadException("The GeoTIFF georeferencing holds a value that is not a finite number.");
            }
        }

        return gt;
    }
}

using System.Globalization;
using System.Xml;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.Grains.Formats.Gml;

/// <summary>
/// Streams a GML file (PCRS or any GML 3.x/2 feature collection) once, forward only: CRS from the first srsName,
/// envelope from the collection's gml:boundedBy or accumulated over every pos/posList/coordinates, features counted
/// per class. No DTD, no external entities, a byte cap and a feature cap keep the work bounded.
/// </summary>
public static class GmlReader
{
    public const string PcrsNamespace = "http://cnig.gouv.fr/pcrs";

    /// <summary>Compound CRSs of French GML (Lambert-93 + NGF heights) and their horizontal part.</summary>
    private static readonly Dictionary<int, int> HorizontalOfCompound = new() { [5698] = 2154, [5699] = 2154 };

    public sealed record Limits
    {
        public static Limits Default { get; } = new();

        /// <summary>Bytes streamed per file; beyond it the counts are lower bounds (Truncated).</summary>
        public long MaxBytes { get; init; } = 512L * 1024 * 1024;

        public long MaxFeatures { get; init; } = 10_000_000;

        /// <summary>Longest text of one coordinate element (posList of a big polygon).</summary>
        public int MaxCoordinateChars { get; init; } = 16 * 1024 * 1024;
    }

    public static async Task<GmlInfo> ReadAsync(IRangeReader file, Limits? limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        limits ??= Limits.Default;
        await using var stream = new RangeReaderStream(file, limits.MaxBytes, cancellationToken);
        var settings = new XmlReaderSettings
        {
            Async = true,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            MaxCharactersFromEntities = 0,
        };

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var bounds = new Bounds();
        double[]? declared = null;
        string? root = null, version = null, srsName = null, envelopeSrs = null;
        bool isPcrs = false, truncated = false;
        int featureMemberDepth = -1, rootBoundedByDepth = -1;
        int dimension = 2;
        long features = 0;
        string? lowerCorner = null, upperCorner = null;

        try
        {
            using XmlReader reader = XmlReader.Create(stream, settings);
            bool positioned = false;
            while (positioned || await reader.ReadAsync().ConfigureAwait(false))
            {
                positioned = false;
                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    if (reader.Depth == featureMemberDepth)
                    {
                        featureMemberDepth = -1;
                    }
                    else if (reader.Depth == rootBoundedByDepth)
                    {
                        rootBoundedByDepth = -1;
                    }

                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (reader.NamespaceURI == PcrsNamespace)
                {
                    isPcrs = true;
                }

                if (root is null)
                {
                    root = reader.LocalName;
                    version = reader.GetAttribute("version");
                    isPcrs |= reader.LookupNamespace("pcrs") == PcrsNamespace;
                }

                string? srs = reader.GetAttribute("srsName");
                if (srs is not null)
                {
                    srsName ??= srs;
                }

                if (reader.GetAttribute("srsDimension") is { } dim && int.TryParse(dim, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d is >= 1 and <= 4)
                {
                    dimension = d;
                }

                string local = reader.LocalName;
                if (reader.Depth == 1 && local == "boundedBy" && !reader.IsEmptyElement)
                {
                    rootBoundedByDepth = 1;
                    continue;
                }

                if (rootBoundedByDepth >= 0)
                {
                    if (local == "Envelope")
                    {
                        envelopeSrs = srs;
                    }
                    else if (local is "lowerCorner" or "upperCorner" or "coordinates")
                    {
                        string text = await ReadTextAsync(reader, limits).ConfigureAwait(false);
                        positioned = true;
                        if (local == "lowerCorner")
                        {
                            lowerCorner = text;
                        }
                        else if (local == "upperCorner")
                        {
                            upperCorner = text;
                        }
                        else
                        {
                            var box = new Bounds();
                            box.Add(text, 2, gml2: true);
                            declared = box.ToArray();
                        }
                    }

                    continue;
                }

                if (local is "featureMember" or "member" or "featureMembers")
                {
                    featureMemberDepth = reader.Depth;
                    continue;
                }

                if (featureMemberDepth >= 0 && reader.Depth == featureMemberDepth + 1)
                {
                    string name = reader.NamespaceURI == PcrsNamespace ? "pcrs:" + local : reader.Name;
                    counts[name] = counts.GetValueOrDefault(name) + 1;
                    if (++features >= limits.MaxFeatures)
                    {
                        truncated = true;
                        warnings.Add($"Stopped after {limits.MaxFeatures} features.");
                        break;
                    }

                    continue;
                }

                if (local is "pos" or "posList" or "coordinates" && reader.NamespaceURI.StartsWith("http://www.opengis.net/gml", StringComparison.Ordinal))
                {
                    int ownDimension = reader.GetAttribute("srsDimension") is { } own && int.TryParse(own, NumberStyles.Integer, CultureInfo.InvariantCulture, out int od) && od is >= 1 and <= 4 ? od : dimension;
                    string text = await ReadTextAsync(reader, limits).ConfigureAwait(false);
                    positioned = true;
                    bounds.Add(text, local == "pos" ? Math.Max(2, CountNumbers(text)) : ownDimension, gml2: local == "coordinates");
                }
            }
        }
        catch (XmlException e)
        {
            if (root is null)
            {
                throw new FormatReadException($"The file is not well-formed XML: {e.Message}", e);
            }

            warnings.Add($"The XML is malformed after the start ({e.Message}); counts stop there.");
            truncated = true;
        }

        if (root is null)
        {
            throw new FormatReadException("The file holds no XML element.");
        }

        truncated |= stream.HitCap;
        if (stream.HitCap)
        {
            warnings.Add($"Stopped after {stream.BytesRead} bytes (read limit).");
        }

        if (lowerCorner is not null && upperCorner is not null)
        {
            var box = new Bounds();
            box.Add(lowerCorner + " " + upperCorner, Math.Max(2, CountNumbers(lowerCorner)), gml2: false);
            declared = box.ToArray();
        }

        string? crsSource = envelopeSrs ?? srsName;
        int? epsg = SrsName.ToEpsg(crsSource);
        if (epsg is int code && HorizontalOfCompound.TryGetValue(code, out int horizontal))
        {
            epsg = horizontal;
        }

        double[]? envelope = declared ?? bounds.ToArray();
        if (envelope is not null && SrsName.IsLatitudeFirst(crsSource, epsg))
        {
            envelope = [envelope[1], envelope[0], envelope[3], envelope[2]];
        }

        return new GmlInfo
        {
            IsPcrs = isPcrs,
            RootElement = root,
            Version = version,
            Epsg = epsg,
            SrsName = crsSource,
            Envelope = envelope,
            EnvelopeSource = envelope is null ? null : declared is not null ? "boundedBy" : "computed",
            FeatureCounts = counts,
            Truncated = truncated,
            BytesRead = stream.BytesRead,
            Warnings = warnings,
        };
    }

    private static async Task<string> ReadTextAsync(XmlReader reader, Limits limits)
    {
        string text = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
        return text.Length > limits.MaxCoordinateChars ? text[..limits.MaxCoordinateChars] : text;
    }

    private static int CountNumbers(string text) =>
        text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Running min/max over the first two ordinates of each tuple.</summary>
    private sealed class Bounds
    {
        private double _minX = double.PositiveInfinity, _minY = double.PositiveInfinity;
        private double _maxX = double.NegativeInfinity, _maxY = double.NegativeInfinity;

        public void Add(string text, int dimension, bool gml2)
        {
            // GML 2 coordinates: "x,y x,y"; GML 3 pos/posList: "x y [z] x y [z]".
            string[] numbers = gml2
                ? text.Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries)
                : text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (gml2)
            {
                dimension = 2;
            }

            for (int i = 0; i + 1 < numbers.Length; i += dimension)
            {
                if (double.TryParse(numbers[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                    && double.TryParse(numbers[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y)
                    && double.IsFinite(x) && double.IsFinite(y))
                {
                    _minX = Math.Min(_minX, x);
                    _minY = Math.Min(_minY, y);
                    _maxX = Math.Max(_maxX, x);
                    _maxY = Math.Max(_maxY, y);
                }
            }
        }

        public double[]? ToArray() => double.IsFinite(_minX) ? [_minX, _minY, _maxX, _maxY] : null;
    }
}

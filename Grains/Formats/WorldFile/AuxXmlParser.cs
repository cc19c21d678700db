using System.Globalization;
using System.Xml;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.Grains.Formats.WorldFile;

/// <summary>What a GDAL PAM sidecar (<c>name.ext.aux.xml</c>) says: SRS, geotransform, and per band a description and colour interpretation.</summary>
public sealed record AuxXmlInfo
{
    public string? SrsWkt { get; init; }
    public int? Epsg { get; init; }
    public double[]? GeoTransform { get; init; }

    /// <summary>Band number (1-based) → description (e.g. 4 → "NIR").</summary>
    public IReadOnlyDictionary<int, string> BandDescriptions { get; init; } = new Dictionary<int, string>();

    /// <summary>Band number (1-based) → colour interpretation written in the PAM file.</summary>
    public IReadOnlyDictionary<int, string> BandColorInterpretations { get; init; } = new Dictionary<int, string>();
}

/// <summary>Reads GDAL .aux.xml files as a bounded forward stream (no DTD, no external entities).</summary>
public static class AuxXmlParser
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Null when the text is not a PAMDataset document.</summary>
    public static AuxXmlInfo? Parse(string xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };

        string? srs = null;
        double[]? geoTransform = null;
        var descriptions = new Dictionary<int, string>();
        var colours = new Dictionary<int, string>();
        bool sawRoot = false;
        int band = 0;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            bool positioned = false;
            while (positioned || reader.Read())
            {
                positioned = false;
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "PAMRasterBand")
                {
                    band = 0;
                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "PAMDataset" when reader.Depth == 0:
                        sawRoot = true;
                        break;
                    case "SRS" when reader.Depth == 1:
                        srs = reader.ReadElementContentAsString().Trim();
                        positioned = true;
                        break;
                    case "GeoTransform" when reader.Depth == 1:
                        geoTransform = ParseGeoTransform(reader.ReadElementContentAsString());
                        positioned = true;
                        break;
                    case "PAMRasterBand" when reader.Depth == 1:
                        band = int.TryParse(reader.GetAttribute("band"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 65535 ? n : 0;
                        if (reader.IsEmptyElement)
                        {
                            band = 0;
                        }

                        break;
                    case "Description" when band > 0 && reader.Depth == 2:
                        descriptions[band] = reader.ReadElementContentAsString();
                        positioned = true;
                        break;
                    case "ColorInterp" when band > 0 && reader.Depth == 2:
                        colours[band] = reader.ReadElementContentAsString().Trim();
                        positioned = true;
                        break;
                }
            }
        }
        catch (XmlException)
        {
            return null;
        }

        if (!sawRoot)
        {
            return null;
        }

        return new AuxXmlInfo
        {
            SrsWkt = string.IsNullOrEmpty(srs) ? null : srs,
            Epsg = string.IsNullOrEmpty(srs) ? null : WktCrsMatcher.ToEpsg(srs) ?? SrsName.ToEpsg(srs),
            GeoTransform = geoTransform,
            BandDescriptions = descriptions,
            BandColorInterpretations = colours,
        };
    }

    private static double[]? ParseGeoTransform(string text)
    {
        string[] parts = text.Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            return null;
        }

        var values = new double[6];
        for (int i = 0; i < 6; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                return null;
            }
        }

        return values;
    }
}

using System.Globalization;
using System.Xml;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.Grains.Formats.Jp2;

/// <summary>
/// Georeferencing of a GMLJP2 document (v1: gml:FeatureCollection; v2: gmljp2:GMLJP2CoverageCollection): the
/// RectifiedGrid origin (centre of the top-left pixel) and offset vectors, turned into GDAL's corner geotransform the way
/// GDAL does, with the axis swap for latitude-first CRSs.
/// </summary>
internal static class GmlJp2Georeference
{
    public const int MaxDocumentBytes = 1024 * 1024;

    public sealed record Result(double[] GeoTransform, int? Epsg, string? SrsName, int Version);

    /// <summary>Null when the document has no usable RectifiedGrid. Never throws for bad XML.</summary>
    public static Result? Parse(string xml)
    {
        string? pointSrs = null, envelopeSrs = null, gridSrs = null, firstAxisName = null;
        double[]? origin = null;
        var vectors = new List<double[]>(2);
        int version = 1;
        bool inGrid = false, inOrigin = false, inRootBoundedBy = false;

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxDocumentBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };

        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            // ReadElementContentAsString leaves the reader on the next node already: do not Read() past it.
            bool positioned = false;
            while (positioned || reader.Read())
            {
                positioned = false;
                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.LocalName)
                    {
                        case "RectifiedGrid": inGrid = false; break;
                        case "origin": inOrigin = false; break;
                        case "boundedBy": inRootBoundedBy = false; break;
                    }

                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "GMLJP2CoverageCollection":
                        version = 2;
                        break;
                    case "boundedBy" when reader.Depth <= 2 && !reader.IsEmptyElement:
                        inRootBoundedBy = true;
                        break;
                    case "Envelope" when inRootBoundedBy:
                        envelopeSrs ??= reader.GetAttribute("srsName");
                        break;
                    case "RectifiedGrid" when origin is null:
                        inGrid = !reader.IsEmptyElement;
                        gridSrs = reader.GetAttribute("srsName");
                        break;
                    case "axisName" when inGrid && firstAxisName is null:
                        firstAxisName = reader.ReadElementContentAsString();
                        positioned = true;
                        break;
                    case "origin" when inGrid:
                        inOrigin = !reader.IsEmptyElement;
                        break;
                    case "Point" when inOrigin:
                        pointSrs = reader.GetAttribute("srsName");
                        break;
                    case "pos" or "coordinates" when inOrigin && origin is null:
                        origin = Numbers(reader.ReadElementContentAsString());
                        positioned = true;
                        break;
                    case "offsetVector" when inGrid && vectors.Count < 2:
                        vectors.Add(Numbers(reader.ReadElementContentAsString()) ?? []);
                        positioned = true;
                        break;
                }
            }
        }
        catch (XmlException)
        {
            return null;
        }

        if (origin is not { Length: >= 2 } || vectors.Count != 2 || vectors[0].Length < 2 || vectors[1].Length < 2)
        {
            return null;
        }

        // GDAL looks for the CRS on the origin point first, then the collection's envelope, then the grid.
        string? srsName = pointSrs ?? envelopeSrs ?? gridSrs;
        int? epsg = SrsName.ToEpsg(srsName);

        double ox = origin[0], oy = origin[1];
        double[] v1 = vectors[0], v2 = vectors[1];
        bool axisSaysEastFirst = firstAxisName is not null
            && (firstAxisName.StartsWith("lon", StringComparison.OrdinalIgnoreCase)
                || firstAxisName.StartsWith("east", StringComparison.OrdinalIgnoreCase)
                || firstAxisName.Equals("E", StringComparison.OrdinalIgnoreCase));
        if (SrsName.IsLatitudeFirst(srsName, epsg) && !axisSaysEastFirst)
        {
            (ox, oy) = (oy, ox);
            v1 = [v1[1], v1[0]];
            v2 = [v2[1], v2[0]];
        }

        double[] gt =
        [
            ox - v1[0] / 2 - v2[0] / 2, v1[0], v2[0],
            oy - v1[1] / 2 - v2[1] / 2, v1[1], v2[1],
        ];
        return gt.All(double.IsFinite) ? new Result(gt, epsg, srsName, version) : null;
    }

    private static double[]? Numbers(string text)
    {
        string[] parts = text.Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 4)
        {
            return null;
        }

        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        return values;
    }
}

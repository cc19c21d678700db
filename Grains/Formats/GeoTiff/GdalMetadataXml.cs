using System.Globalization;
using System.Xml;

namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>
/// The parts of GDAL's private GDAL_METADATA tag (42112) that change what gdalinfo shows for bands:
/// per-band colour interpretation and description, e.g. the "NIR" description of a fourth band.
/// </summary>
internal static class GdalMetadataXml
{
    public static (Dictionary<int, string> ColorInterp, Dictionary<int, string> Descriptions) Parse(string xml, int bands)
    {
        var colorInterp = new Dictionary<int, string>();
        var descriptions = new Dictionary<int, string>();
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = 1024 * 1024,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Name != "Item")
                {
                    reader.Read();
                    continue;
                }

                string? role = reader.GetAttribute("role");
                string? sampleText = reader.GetAttribute("sample");
                if (role is null || sampleText is null
                    || !int.TryParse(sampleText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int sample)
                    || sample < 0 || sample >= bands)
                {
                    reader.Read();
                    continue;
                }

                string value = reader.ReadElementContentAsString().Trim();
                if (role == "colorinterp" && value.Length > 0)
                {
                    colorInterp[sample] = value;
                }
                else if (role == "description" && value.Length > 0)
                {
                    descriptions[sample] = value;
                }
            }
        }
        catch (XmlException)
        {
            // GDAL ignores a GDAL_METADATA it cannot parse; so do we: band names then come from Photometric alone.
        }

        return (colorInterp, descriptions);
    }
}

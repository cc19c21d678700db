using System.Globalization;

namespace Pcrs.Grains.Formats.Crs;

/// <summary>
/// Reads the CRS references found in GML and GMLJP2 (srsName attributes) and in user input: "EPSG:2154",
/// "urn:ogc:def:crs:EPSG::2154", "urn:ogc:def:crs:EPSG:6.6:2154", "http://www.opengis.net/def/crs/EPSG/0/2154",
/// "http://www.opengis.net/gml/srs/epsg.xml#2154", and the IGNF names French producers still write.
/// </summary>
public static class SrsName
{
    // IGN's own register names for the same CRSs (IGNF:LAMB93 is EPSG:2154, and so on).
    private static readonly Dictionary<string, int> IgnfCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LAMB93"] = 2154,
        ["RGF93G"] = 4171,
        ["RGF93CC42"] = 3942, ["RGF93CC43"] = 3943, ["RGF93CC44"] = 3944, ["RGF93CC45"] = 3945, ["RGF93CC46"] = 3946,
        ["RGF93CC47"] = 3947, ["RGF93CC48"] = 3948, ["RGF93CC49"] = 3949, ["RGF93CC50"] = 3950,
        ["RGAF09UTM20"] = 5490, ["UTM22RGFG95"] = 2972, ["RGR92UTM40S"] = 2975, ["RGM04UTM38S"] = 4471, ["RGSPM06U21"] = 4467,
    };

    /// <summary>The EPSG code named by <paramref name="srsName"/>, or null when it names none (or another authority).</summary>
    public static int? ToEpsg(string? srsName)
    {
        if (string.IsNullOrWhiteSpace(srsName) || srsName.Length > 512)
        {
            return null;
        }

        string value = srsName.Trim();
        if (value.Equals("urn:ogc:def:crs:OGC:1.3:CRS84", StringComparison.OrdinalIgnoreCase)
            || value.Equals("http://www.opengis.net/def/crs/OGC/1.3/CRS84", StringComparison.OrdinalIgnoreCase)
            || value.Equals("CRS:84", StringComparison.OrdinalIgnoreCase))
        {
            return 4326;
        }

        int hash = value.LastIndexOf('#');
        if (hash >= 0 && value.Contains("epsg", StringComparison.OrdinalIgnoreCase))
        {
            return Code(value[(hash + 1)..]);
        }

        if (value.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            // urn:ogc:def:crs:EPSG:<version>:<code>, urn:x-ogc:def:crs:EPSG:<code>; the version part may be empty.
            string[] parts = value.Split(':');
            int authority = Array.FindIndex(parts, p => p.Equals("EPSG", StringComparison.OrdinalIgnoreCase));
            if (authority >= 0 && parts.Length > authority + 1)
            {
                return Code(parts[^1]);
            }

            int ignf = Array.FindIndex(parts, p => p.Equals("IGNF", StringComparison.OrdinalIgnoreCase));
            return ignf >= 0 && IgnfCodes.TryGetValue(parts[^1], out int fromIgnf) ? fromIgnf : null;
        }

        if (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // http://www.opengis.net/def/crs/EPSG/0/2154
            string[] parts = value.Split('/');
            int authority = Array.FindIndex(parts, p => p.Equals("EPSG", StringComparison.OrdinalIgnoreCase));
            return authority >= 0 && parts.Length > authority + 1 ? Code(parts[^1]) : null;
        }

        int colon = value.IndexOf(':');
        if (colon > 0)
        {
            string authorityName = value[..colon];
            string code = value[(colon + 1)..];
            if (authorityName.Equals("EPSG", StringComparison.OrdinalIgnoreCase))
            {
                return Code(code);
            }

            if (authorityName.Equals("IGNF", StringComparison.OrdinalIgnoreCase))
            {
                return IgnfCodes.TryGetValue(code, out int fromIgnf) ? fromIgnf : null;
            }
        }

        return null;
    }

    /// <summary>
    /// True when the EPSG definition orders the axes latitude first (geographic CRSs such as 4326 or 4171), so that
    /// GML coordinates must be swapped to get GDAL's x = easting/longitude. The CRS84 forms are longitude first.
    /// </summary>
    public static bool IsLatitudeFirst(string? srsName, int? epsg)
    {
        if (srsName is not null && srsName.Contains("CRS84", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (srsName is not null && srsName.StartsWith("EPSG:", StringComparison.OrdinalIgnoreCase))
        {
            // The bare "EPSG:n" form has historically meant longitude/latitude order (GDAL keeps that reading).
            return false;
        }

        return CrsRegistry.Find(epsg)?.IsGeographic ?? false;
    }

    private static int? Code(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int code) && code > 0 ? code : null;
}

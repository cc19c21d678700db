using System.Globalization;

namespace Pcrs.Grains.Formats.Crs;

/// <summary>
/// Finds the EPSG code of a WKT CRS (.prj, .aux.xml SRS, GeoJP2 citation): first by the authority the text declares
/// (AUTHORITY["EPSG","2154"] in WKT1, ID["EPSG",2154] in WKT2), then, for ESRI-style texts without one, by comparing the
/// projection method, its parameters and the datum with the table. Unknown CRSs give null, never a guess.
/// </summary>
public static class WktCrsMatcher
{
    private const double AngleTolerance = 1e-9;
    private const double LengthTolerance = 1e-3;

    public static int? ToEpsg(string? wkt)
    {
        WktNode? root = WktNode.TryParse(wkt);
        return root is null ? null : FromNode(root);
    }

    public static int? FromNode(WktNode root)
    {
        WktNode crs = Horizontal(root);
        return DeclaredEpsg(crs) ?? MatchByDefinition(crs);
    }

    /// <summary>The horizontal CRS inside compound and bound CRSs.</summary>
    private static WktNode Horizontal(WktNode node)
    {
        for (int guard = 0; guard < 4; guard++)
        {
            string keyword = node.Keyword.ToUpperInvariant();
            WktNode? inner = keyword switch
            {
                "COMPD_CS" or "COMPOUNDCRS" => node.Children.FirstOrDefault(IsHorizontal),
                "BOUNDCRS" => node.Child("SOURCECRS")?.Children.FirstOrDefault(IsHorizontal),
                _ => null,
            };
            if (inner is null)
            {
                return node;
            }

            node = inner;
        }

        return node;
    }

    private static bool IsHorizontal(WktNode node) => node.Keyword.ToUpperInvariant() is
        "PROJCS" or "GEOGCS" or "PROJCRS" or "PROJECTEDCRS" or "GEOGCRS" or "GEOGRAPHICCRS" or "BASEGEOGCRS";

    private static bool IsProjected(WktNode node) => node.Keyword.ToUpperInvariant() is "PROJCS" or "PROJCRS" or "PROJECTEDCRS";

    private static int? DeclaredEpsg(WktNode crs)
    {
        // The authority of the CRS itself is a direct child; nested ones name its datum, ellipsoid or units.
        foreach (WktNode child in crs.Children)
        {
            string keyword = child.Keyword.ToUpperInvariant();
            if ((keyword == "AUTHORITY" || keyword == "ID")
                && child.Values.Count >= 2
                && child.Values[0].Equals("EPSG", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(child.Values[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code)
                && code > 0)
            {
                return code;
            }
        }

        return null;
    }

    private static int? MatchByDefinition(WktNode crs)
    {
        GeographicDefinition? datum = MatchDatum(crs);
        if (datum is null)
        {
            return null;
        }

        if (!IsProjected(crs))
        {
            return CrsRegistry.All.FirstOrDefault(d => d.IsGeographic && d.Geographic == datum)?.Epsg;
        }

        CrsProjection method = MatchMethod(crs);
        if (method == CrsProjection.None || !UnitIsMetre(crs))
        {
            return null;
        }

        var parameters = ReadParameters(crs);
        foreach (CrsDefinition candidate in CrsRegistry.All)
        {
            if (candidate.Projection == method && candidate.Geographic == datum && SameParameters(candidate, parameters))
            {
                return candidate.Epsg;
            }
        }

        return null;
    }

    private static GeographicDefinition? MatchDatum(WktNode crs)
    {
        WktNode? geographic = IsProjected(crs)
            ? crs.Children.FirstOrDefault(c => c.Keyword.ToUpperInvariant() is "GEOGCS" or "BASEGEOGCRS" or "GEOGCRS")
            : crs;
        if (geographic is null)
        {
            return null;
        }

        WktNode? datum = geographic.Child("DATUM") ?? geographic.Child("ENSEMBLE");
        string names = Normalise(geographic.Name) + "|" + Normalise(datum?.Name);

        // Most specific first: "rgf93v2b" must not be read as "rgf93v2", nor either as RGF93 v1 (whose aliases are prefixes).
        GeographicDefinition[] datums =
        [
            CrsRegistry.Rgf93v2b, CrsRegistry.Rgf93v2, CrsRegistry.Rgf93v1, CrsRegistry.Rgaf09, CrsRegistry.Rraf1991,
            CrsRegistry.Rgfg95, CrsRegistry.Rgr92, CrsRegistry.Rgm04, CrsRegistry.Rgspm06, CrsRegistry.Wgs84,
        ];

        GeographicDefinition? best = datums.FirstOrDefault(d => d.DatumAliases.Any(alias => names.Contains(alias, StringComparison.Ordinal)));
        return best;
    }

    private static CrsProjection MatchMethod(WktNode crs)
    {
        string method = Normalise((crs.Child("PROJECTION") ?? crs.Child("CONVERSION")?.Child("METHOD"))?.Name);
        if (method.Contains("lambert", StringComparison.Ordinal) && method.Contains("conic", StringComparison.Ordinal))
        {
            return CrsProjection.LambertConformalConic2SP;
        }

        if (method.Contains("transversemercator", StringComparison.Ordinal) || method == "utm")
        {
            return CrsProjection.TransverseMercator;
        }

        return CrsProjection.None;
    }

    private static bool UnitIsMetre(WktNode crs)
    {
        WktNode? unit = crs.Child("UNIT") ?? crs.Child("LENGTHUNIT");
        if (unit is null)
        {
            // WKT2 puts the unit on each AXIS; ESRI always writes UNIT. Absent means the default metre.
            return true;
        }

        return unit.Number(1) is double factor && Math.Abs(factor - 1) < 1e-12;
    }

    private static Dictionary<string, double> ReadParameters(WktNode crs)
    {
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        IEnumerable<WktNode> nodes = crs.ChildrenNamed("PARAMETER");
        if (crs.Child("CONVERSION") is { } conversion)
        {
            nodes = nodes.Concat(conversion.ChildrenNamed("PARAMETER"));
        }

        foreach (WktNode node in nodes)
        {
            string? key = Normalise(node.Name) switch
            {
                "latitudeoforigin" or "latitudeoffalseorigin" or "latitudeofnaturalorigin" or "latitudeofcenter" => "lat0",
                "centralmeridian" or "longitudeoffalseorigin" or "longitudeofnaturalorigin" or "longitudeofcenter" => "lon0",
                "standardparallel1" or "latitudeof1ststandardparallel" => "sp1",
                "standardparallel2" or "latitudeof2ndstandardparallel" => "sp2",
                "scalefactor" or "scalefactoratnaturalorigin" => "k",
                "falseeasting" or "eastingatfalseorigin" => "fe",
                "falsenorthing" or "northingatfalseorigin" => "fn",
                _ => null,
            };
            if (key is not null && node.Number(1) is double value)
            {
                parameters[key] = value;
            }
        }

        return parameters;
    }

    private static bool SameParameters(CrsDefinition crs, Dictionary<string, double> p)
    {
        bool Near(string key, double expected, double tolerance, double fallback) =>
            Math.Abs((p.TryGetValue(key, out double v) ? v : fallback) - expected) <= tolerance;

        if (!Near("fe", crs.FalseEasting, LengthTolerance, 0) || !Near("fn", crs.FalseNorthing, LengthTolerance, 0)
            || !Near("lon0", crs.CentralMeridian, AngleTolerance, 0))
        {
            return false;
        }

        if (crs.Projection == CrsProjection.TransverseMercator)
        {
            return Near("lat0", crs.LatitudeOfOrigin, AngleTolerance, 0) && Near("k", crs.ScaleFactor, 1e-9, 1);
        }

        // Lambert 2SP: the parallels may come in either order; the latitude of origin is part of the definition.
        if (!p.TryGetValue("sp1", out double sp1) || !p.TryGetValue("sp2", out double sp2) || !Near("lat0", crs.LatitudeOfOrigin, AngleTolerance, 0))
        {
            return false;
        }

        double low = Math.Min(sp1, sp2), high = Math.Max(sp1, sp2);
        return Math.Abs(low - Math.Min(crs.StandardParallel1, crs.StandardParallel2)) <= AngleTolerance
            && Math.Abs(high - Math.Max(crs.StandardParallel1, crs.StandardParallel2)) <= AngleTolerance;
    }

    private static string Normalise(string? name)
    {
        if (name is null)
        {
            return "";
        }

        Span<char> buffer = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        int length = 0;
        foreach (char c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..length]);
    }
}

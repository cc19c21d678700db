using System.Collections.Frozen;

namespace Pcrs.Grains.Formats.Crs;

/// <summary>
/// The CRSs used for French geodata, with the facts of the EPSG dataset (names, datums, projection parameters) as
/// PROJ 9 / GDAL 3.6 report them. Anything else is still reported by code, but without name, footprint or PCRS acceptance.
/// </summary>
public static class CrsRegistry
{
    private const double Grs80A = 6378137;
    private const double Grs80InvF = 298.257222101;

    private static GeographicDefinition Grs80(int epsg, string name, string datum, int datumEpsg, params string[] aliases) =>
        new(epsg, name, datum, datumEpsg, "GRS 1980", 7019, Grs80A, Grs80InvF, aliases);

    // Aliases are matched against lower-case alphanumeric names, the most specific datums first (see WktCrsMatcher),
    // so "rgf93v2b" is not read as "rgf93v2" and neither as the bare "rgf93" of ESRI's "D_RGF_1993".
    public static readonly GeographicDefinition Rgf93v1 = Grs80(4171, "RGF93 v1", "Reseau_Geodesique_Francais_1993_v1", 6171,
        "rgf93v1", "francais1993v1", "rgf1993", "rgf93", "reseaugeodesiquefrancais1993");
    public static readonly GeographicDefinition Rgf93v2 = Grs80(9777, "RGF93 v2", "Reseau_Geodesique_Francais_1993_v2", 1312,
        "rgf93v2", "francais1993v2", "rgf1993v2");
    public static readonly GeographicDefinition Rgf93v2b = Grs80(9782, "RGF93 v2b", "Reseau_Geodesique_Francais_1993_v2b", 1313,
        "rgf93v2b", "francais1993v2b", "rgf1993v2b");
    public static readonly GeographicDefinition Rgaf09 = Grs80(5489, "RGAF09", "Reseau_Geodesique_des_Antilles_Francaises_2009", 1073,
        "rgaf09", "rgaf2009", "antillesfrancaises2009");
    public static readonly GeographicDefinition Rraf1991 = Grs80(4558, "RRAF 1991", "Reseau_de_Reference_des_Antilles_Francaises_1991", 1047,
        "rraf1991", "rraf", "antillesfrancaises1991");
    public static readonly GeographicDefinition Rgfg95 = Grs80(4624, "RGFG95", "Reseau_Geodesique_Francais_Guyane_1995", 6624,
        "rgfg95", "rgfg1995", "guyane1995");
    public static readonly GeographicDefinition Rgr92 = Grs80(4627, "RGR92", "Reseau_Geodesique_de_la_Reunion_1992", 6627,
        "rgr92", "rgr1992", "reunion1992");
    public static readonly GeographicDefinition Rgm04 = Grs80(4470, "RGM04", "Reseau_Geodesique_de_Mayotte_2004", 1036,
        "rgm04", "rgm2004", "mayotte2004");
    public static readonly GeographicDefinition Rgspm06 = Grs80(4463, "RGSPM06", "Reseau_Geodesique_de_Saint_Pierre_et_Miquelon_2006", 1038,
        "rgspm06", "rgspm2006", "miquelon2006");
    public static readonly GeographicDefinition Wgs84 = new(4326, "WGS 84", "WGS_1984", 6326, "WGS 84", 7030, 6378137, 298.257223563,
        ["wgs84", "wgs1984"]);

    private static CrsDefinition Lambert93(int epsg, GeographicDefinition geo) =>
        new(epsg, $"{geo.Name} / Lambert-93", geo, CrsProjection.LambertConformalConic2SP,
            LatitudeOfOrigin: 46.5, CentralMeridian: 3, StandardParallel1: 49, StandardParallel2: 44,
            FalseEasting: 700000, FalseNorthing: 6600000, AcceptedForPcrs: true);

    // The nine conic conformal zones CC42..CC50: origin at latitude N, parallels N∓0.75, false northing (N-41)·1e6+200 000.
    private static CrsDefinition ConicConformal(int epsg, GeographicDefinition geo, int zone) =>
        new(epsg, $"{geo.Name} / CC{zone}", geo, CrsProjection.LambertConformalConic2SP,
            LatitudeOfOrigin: zone, CentralMeridian: 3, StandardParallel1: zone - 0.75, StandardParallel2: zone + 0.75,
            FalseEasting: 1700000, FalseNorthing: (zone - 41) * 1_000_000.0 + 200_000, AcceptedForPcrs: true);

    private static CrsDefinition Utm(int epsg, GeographicDefinition geo, int zone, bool south, bool accepted) =>
        new(epsg, $"{geo.Name} / UTM zone {zone}{(south ? 'S' : 'N')}", geo, CrsProjection.TransverseMercator,
            CentralMeridian: zone * 6 - 183, ScaleFactor: 0.9996, FalseEasting: 500000, FalseNorthing: south ? 10_000_000 : 0,
            AcceptedForPcrs: accepted);

    private static CrsDefinition Geographic(GeographicDefinition geo) => new(geo.Epsg, geo.Name, geo, CrsProjection.None);

    private static IEnumerable<CrsDefinition> Build()
    {
        yield return Lambert93(2154, Rgf93v1);
        yield return Lambert93(9793, Rgf93v2);
        yield return Lambert93(9794, Rgf93v2b);
        for (int zone = 42; zone <= 50; zone++)
        {
            yield return ConicConformal(3900 + zone, Rgf93v1, zone);
            yield return ConicConformal(9780 + zone, Rgf93v2, zone);
            yield return ConicConformal(9800 + zone, Rgf93v2b, zone);
        }

        yield return Utm(5490, Rgaf09, 20, south: false, accepted: true);
        yield return Utm(4559, Rraf1991, 20, south: false, accepted: false);
        yield return Utm(2972, Rgfg95, 22, south: false, accepted: true);
        yield return Utm(2975, Rgr92, 40, south: true, accepted: true);
        yield return Utm(4471, Rgm04, 38, south: true, accepted: true);
        yield return Utm(4467, Rgspm06, 21, south: false, accepted: true);
        foreach (var (zone, south) in new[] { (20, false), (21, false), (22, false), (30, false), (31, false), (32, false), (38, true), (40, true) })
        {
            yield return Utm((south ? 32700 : 32600) + zone, Wgs84, zone, south, accepted: false);
        }

        yield return Geographic(Wgs84);
        yield return Geographic(Rgf93v1);
        yield return Geographic(Rgf93v2);
        yield return Geographic(Rgf93v2b);
    }

    private static readonly FrozenDictionary<int, CrsDefinition> ByCode = Build().ToFrozenDictionary(d => d.Epsg);

    public static IEnumerable<CrsDefinition> All => ByCode.Values.OrderBy(d => d.Epsg);

    public static CrsDefinition? Find(int? epsg) => epsg is int code && ByCode.TryGetValue(code, out var definition) ? definition : null;

    /// <summary>The name users see, e.g. "RGF93 v1 / Lambert-93"; null for a code outside the table.</summary>
    public static string? NameOf(int? epsg) => Find(epsg)?.Name;

    /// <summary>True when French regulations accept the CRS for a PCRS (Lambert-93, CC42–CC50 in any RGF93 realisation, overseas UTMs).</summary>
    public static bool IsAcceptedForPcrs(int? epsg) => Find(epsg)?.AcceptedForPcrs ?? false;
}

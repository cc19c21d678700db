using System.Text.RegularExpressions;
using Pcrs.Grains.Formats.Crs;
using Pcrs.TestSupport.Gdal;

namespace Pcrs.Formats.Tests.Crs;

/// <summary>Every CRS of the table against GDAL/PROJ: names, WKT recognition in the flavours users meet.</summary>
public sealed partial class CrsRegistryTests
{
    private static readonly Lazy<IReadOnlyDictionary<int, GdalSrsOracle.Definition>> Gdal =
        new(() => GdalSrsOracle.Definitions(CrsRegistry.All.Select(d => d.Epsg).Append(27572)));

    public static TheoryData<int> Codes() => new(CrsRegistry.All.Select(d => d.Epsg));

    [Theory]
    [MemberData(nameof(Codes))]
    public void Name_is_the_one_gdal_prints(int epsg) => Assert.Equal(Gdal.Value[epsg].Name, CrsRegistry.NameOf(epsg));

    [Theory]
    [MemberData(nameof(Codes))]
    public void Gdal_wkt1_is_recognised_with_and_without_its_authority_nodes(int epsg)
    {
        string wkt = Gdal.Value[epsg].Wkt1;
        Assert.Equal(epsg, WktCrsMatcher.ToEpsg(wkt));

        // A .prj written by software that drops authorities must still be recognised from the definition itself.
        string bare = Authority().Replace(wkt, "");
        Assert.DoesNotContain("AUTHORITY", bare, StringComparison.Ordinal);
        Assert.Equal(epsg, WktCrsMatcher.ToEpsg(bare));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Esri_prj_is_recognised(int epsg) => Assert.Equal(epsg, WktCrsMatcher.ToEpsg(Gdal.Value[epsg].Esri));

    [Theory]
    [MemberData(nameof(Codes))]
    public void Gdal_wkt2_with_its_id_is_recognised(int epsg) => Assert.Equal(epsg, WktCrsMatcher.ToEpsg(Gdal.Value[epsg].Wkt2));

    [Fact]
    public void Our_wkt1_describes_the_same_crs_for_gdal()
    {
        // GDAL identifies our own WKT, stripped of its AUTHORITY nodes, as the same EPSG code: the parameters are right.
        var ours = CrsRegistry.All.ToDictionary(d => d.Epsg.ToString(System.Globalization.CultureInfo.InvariantCulture), d => Authority().Replace(CrsWkt.ToWkt1(d), ""));
        IReadOnlyDictionary<string, int?> identified = GdalSrsOracle.Identify(ours);
        Assert.All(ours.Keys, key => Assert.Equal(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture), identified[key]));
    }

    [Fact]
    public void Esri_prj_gdal_identifies_is_identified_the_same()
    {
        // Where GDAL itself recognises an ESRI .prj, we must find the same code.
        var esri = CrsRegistry.All.ToDictionary(d => d.Epsg.ToString(System.Globalization.CultureInfo.InvariantCulture), d => Gdal.Value[d.Epsg].Esri);
        IReadOnlyDictionary<string, int?> identified = GdalSrsOracle.Identify(esri);
        Assert.Contains(identified, p => p.Value is not null);
        Assert.All(identified.Where(p => p.Value is not null), p => Assert.Equal(p.Value, WktCrsMatcher.ToEpsg(esri[p.Key])));
    }

    [Fact]
    public void Pcrs_acceptance_follows_the_french_decree()
    {
        int[] accepted = [2154, 3942, 3943, 3944, 3945, 3946, 3947, 3948, 3949, 3950, 5490, 2972, 2975, 4471, 4467, 9793, 9794, 9822, 9830, 9842, 9850];
        Assert.All(accepted, code => Assert.True(CrsRegistry.IsAcceptedForPcrs(code), $"EPSG:{code}"));
        Assert.False(CrsRegistry.IsAcceptedForPcrs(4326));
        Assert.False(CrsRegistry.IsAcceptedForPcrs(32631));
        Assert.False(CrsRegistry.IsAcceptedForPcrs(27572));
        Assert.False(CrsRegistry.IsAcceptedForPcrs(null));
    }

    [Fact]
    public void Unknown_or_malformed_wkt_gives_no_code()
    {
        Assert.Null(WktCrsMatcher.ToEpsg(null));
        Assert.Null(WktCrsMatcher.ToEpsg(""));
        Assert.Null(WktCrsMatcher.ToEpsg("PROJCS[\"x\""));
        Assert.Null(WktCrsMatcher.ToEpsg(new string('[', 100_000)));
        Assert.Null(WktCrsMatcher.ToEpsg(string.Concat(Enumerable.Repeat("A[", 5000))));

        // NTF Lambert II étendu is not in the table: without its authority, no guess; with it, reported by code.
        string ntf = Gdal.Value[27572].Wkt1;
        Assert.Null(WktCrsMatcher.ToEpsg(Authority().Replace(ntf, "")));
        Assert.Equal(27572, WktCrsMatcher.ToEpsg(ntf));
    }

    [GeneratedRegex(""",\s*AUTHORITY\["[^"]*","[^"]*"\]""", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Authority();
}

namespace Pcrs.Grains.Formats.Crs;

/// <summary>How a projected CRS of the table maps geographic coordinates to the plane.</summary>
public enum CrsProjection
{
    /// <summary>Not projected: coordinates are longitude/latitude in degrees.</summary>
    None,
    LambertConformalConic2SP,
    TransverseMercator,
}

/// <summary>
/// One CRS the scanner knows by heart: the EPSG facts needed to name it, to write its WKT1 for ProjNET and to
/// recognise it in a .prj or an .aux.xml that carries no authority code.
/// </summary>
/// <param name="Epsg">EPSG code of the CRS.</param>
/// <param name="Name">The EPSG name, as GDAL and QGIS show it ("RGF93 v1 / Lambert-93").</param>
/// <param name="Geographic">The geographic CRS it is based on (itself for a geographic CRS).</param>
/// <param name="Projection">Projection method; <see cref="CrsProjection.None"/> for a geographic CRS.</param>
/// <param name="LatitudeOfOrigin">Degrees.</param>
/// <param name="CentralMeridian">Degrees.</param>
/// <param name="StandardParallel1">Degrees (Lambert only).</param>
/// <param name="StandardParallel2">Degrees (Lambert only).</param>
/// <param name="ScaleFactor">Scale at the central meridian (Transverse Mercator only; 1 for Lambert 2SP).</param>
/// <param name="FalseEasting">Metres.</param>
/// <param name="FalseNorthing">Metres.</param>
/// <param name="AcceptedForPcrs">True when French regulations accept it for a PCRS delivery (décret 2000-1276 as amended).</param>
public sealed record CrsDefinition(
    int Epsg,
    string Name,
    GeographicDefinition Geographic,
    CrsProjection Projection,
    double LatitudeOfOrigin = 0,
    double CentralMeridian = 0,
    double StandardParallel1 = 0,
    double StandardParallel2 = 0,
    double ScaleFactor = 1,
    double FalseEasting = 0,
    double FalseNorthing = 0,
    bool AcceptedForPcrs = false)
{
    public bool IsGeographic => Projection == CrsProjection.None;

    /// <summary>"EPSG:2154".</summary>
    public string Code => $"EPSG:{Epsg}";
}

/// <summary>A geographic CRS with its datum; every datum of the table is on an ellipsoid given by its axis and flattening.</summary>
/// <param name="Epsg">EPSG code of the geographic CRS (4171 for RGF93 v1).</param>
/// <param name="Name">EPSG name ("RGF93 v1").</param>
/// <param name="DatumName">Datum name as GDAL writes it in WKT1 ("Reseau_Geodesique_Francais_1993_v1").</param>
/// <param name="DatumEpsg">EPSG code of the datum.</param>
/// <param name="EllipsoidName">"GRS 1980" or "WGS 84".</param>
/// <param name="EllipsoidEpsg">EPSG code of the ellipsoid.</param>
/// <param name="SemiMajorAxis">Metres.</param>
/// <param name="InverseFlattening">1/f.</param>
/// <param name="DatumAliases">Lower-case alphanumeric fragments that identify the datum in names written by other software (ESRI .prj).</param>
public sealed record GeographicDefinition(
    int Epsg,
    string Name,
    string DatumName,
    int DatumEpsg,
    string EllipsoidName,
    int EllipsoidEpsg,
    double SemiMajorAxis,
    double InverseFlattening,
    IReadOnlyList<string> DatumAliases);

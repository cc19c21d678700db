using System.Globalization;
using System.Text;

namespace Pcrs.Grains.Formats.Crs;

/// <summary>
/// Writes the OGC WKT1 (GDAL flavour, with AUTHORITY nodes) of a table CRS. ProjNET parses WKT1 only, and GDAL writes the same
/// structure in .aux.xml files, so one writer serves both the transforms and the tests.
/// </summary>
public static class CrsWkt
{
    public static string ToWkt1(CrsDefinition crs)
    {
        var text = new StringBuilder(640);
        if (crs.IsGeographic)
        {
            AppendGeographic(text, crs.Geographic);
            return text.ToString();
        }

        text.Append("PROJCS[").Append(Quote(crs.Name)).Append(',');
        AppendGeographic(text, crs.Geographic);
        switch (crs.Projection)
        {
            case CrsProjection.LambertConformalConic2SP:
                text.Append(",PROJECTION[\"Lambert_Conformal_Conic_2SP\"]");
                Parameter(text, "latitude_of_origin", crs.LatitudeOfOrigin);
                Parameter(text, "central_meridian", crs.CentralMeridian);
                Parameter(text, "standard_parallel_1", crs.StandardParallel1);
                Parameter(text, "standard_parallel_2", crs.StandardParallel2);
                break;
            case CrsProjection.TransverseMercator:
                text.Append(",PROJECTION[\"Transverse_Mercator\"]");
                Parameter(text, "latitude_of_origin", crs.LatitudeOfOrigin);
                Parameter(text, "central_meridian", crs.CentralMeridian);
                Parameter(text, "scale_factor", crs.ScaleFactor);
                break;
        }

        Parameter(text, "false_easting", crs.FalseEasting);
        Parameter(text, "false_northing", crs.FalseNorthing);
        text.Append(",UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]]");
        text.Append(",AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH]");
        Authority(text, crs.Epsg);
        text.Append(']');
        return text.ToString();
    }

    private static void AppendGeographic(StringBuilder text, GeographicDefinition geo)
    {
        text.Append("GEOGCS[").Append(Quote(geo.Name));
        text.Append(",DATUM[").Append(Quote(geo.DatumName));
        text.Append(",SPHEROID[").Append(Quote(geo.EllipsoidName)).Append(',').Append(Number(geo.SemiMajorAxis)).Append(',')
            .Append(Number(geo.InverseFlattening));
        Authority(text, geo.EllipsoidEpsg);
        text.Append(']');
        Authority(text, geo.DatumEpsg);
        text.Append("],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]]");
        text.Append(",UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]]");
        Authority(text, geo.Epsg);
        text.Append(']');
    }

    private static void Parameter(StringBuilder text, string name, double value) =>
        text.Append(",PARAMETER[").Append(Quote(name)).Append(',').Append(Number(value)).Append(']');

    private static void Authority(StringBuilder text, int code) =>
        text.Append(",AUTHORITY[\"EPSG\",\"").Append(code.ToString(CultureInfo.InvariantCulture)).Append("\"]");

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

using Pcrs.Grains.Formats.Crs;

namespace Pcrs.Formats.Tests.Crs;

public sealed class SrsNameTests
{
    [Theory]
    [InlineData("urn:ogc:def:crs:EPSG::2154", 2154)]
    [InlineData("urn:ogc:def:crs:EPSG:6.6:3948", 3948)]
    [InlineData("urn:x-ogc:def:crs:EPSG:2154", 2154)]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/2154", 2154)]
    [InlineData("https://www.opengis.net/def/crs/EPSG/0/5490", 5490)]
    [InlineData("http://www.opengis.net/gml/srs/epsg.xml#2975", 2975)]
    [InlineData("EPSG:2154", 2154)]
    [InlineData("epsg:4471", 4471)]
    [InlineData(" EPSG:4467 ", 4467)]
    [InlineData("IGNF:LAMB93", 2154)]
    [InlineData("urn:ogc:def:crs:IGNF::RGF93CC48", 3948)]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", 4326)]
    public void Known_forms_give_the_code(string srsName, int expected) => Assert.Equal(expected, SrsName.ToEpsg(srsName));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("EPSG:")]
    [InlineData("EPSG:abc")]
    [InlineData("EPSG:-5")]
    [InlineData("urn:ogc:def:crs:EPSG::")]
    [InlineData("http://example.org/crs/2154")]
    [InlineData("IGNF:UNKNOWN")]
    [InlineData("ESRI:102110")]
    public void Other_forms_give_none(string? srsName) => Assert.Null(SrsName.ToEpsg(srsName));

    [Theory]
    [InlineData("urn:ogc:def:crs:EPSG::4326", 4326, true)]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/4171", 4171, true)]
    [InlineData("urn:ogc:def:crs:EPSG::2154", 2154, false)]
    [InlineData("EPSG:4326", 4326, false)]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", 4326, false)]
    public void Axis_order_follows_the_epsg_definition(string srsName, int epsg, bool latitudeFirst) =>
        Assert.Equal(latitudeFirst, SrsName.IsLatitudeFirst(srsName, epsg));
}

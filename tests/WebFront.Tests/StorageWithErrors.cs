using System.Text;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// An HTTP storage whose scan cannot read everything: "/" lists a readable empty folder (<c>ok/</c>), a folder the server
/// refuses with a 500 on every try (<c>refuse/</c>) and a file that is no tile (<c>casse.tif</c>).
/// </summary>
internal static class StorageWithErrors
{
    public static HostileHttpServer Start()
    {
        var notATile = Encoding.ASCII.GetBytes("this is not a TIFF, nor a JPEG 2000 file.");
        return new HostileHttpServer(path => path switch
        {
            "/" => HostileAnswer.Listing(path, ["ok/", "refuse/", "casse.tif"], name => name == "casse.tif" ? notATile.Length : 0),
            "/ok/" => HostileAnswer.Listing(path, []),
            "/casse.tif" => HostileAnswer.File(notATile),
            _ => new HostileAnswer(500, "boom", ContentType: "text/plain"),
        });
    }
}

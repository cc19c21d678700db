using Pcrs.WebFront.Hosting;

namespace Pcrs.WebFront.Tests;

/// <summary>A published web front serves its pages whatever the working directory it was started from.</summary>
public sealed class WebFrontContentRootTests : IDisposable
{
    private readonly string _install = Directory.CreateTempSubdirectory("pcrs-install-").FullName;

    public void Dispose() => Directory.Delete(_install, recursive: true);

    [Fact]
    public void A_published_install_is_its_own_content_root_unless_one_is_given()
    {
        Assert.Null(WebFrontContentRoot.Choose([], _install)); // no pages beside the binaries: `dotnet run` keeps the default

        Directory.CreateDirectory(Path.Combine(_install, "wwwroot"));
        Assert.Equal(_install, WebFrontContentRoot.Choose([], _install));
        Assert.Equal(_install, WebFrontContentRoot.Choose(["--urls", "http://127.0.0.1:0"], _install));
        Assert.Null(WebFrontContentRoot.Choose(["--contentRoot=/srv/pcrs"], _install));
        Assert.Null(WebFrontContentRoot.Choose(["--contentRoot", "/srv/pcrs"], _install));
    }
}

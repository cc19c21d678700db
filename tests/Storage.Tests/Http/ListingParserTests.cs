using System.Diagnostics;
using System.Text;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Http;

namespace Pcrs.Storage.Tests.Http;

/// <summary>
/// Golden listings of servers not running here (IIS on Windows Server, Apache fancy &lt;pre&gt;, nginx with rounded sizes),
/// written after the pages those servers produce, and a page captured live from python3 -m http.server.
/// </summary>
public sealed class ListingParserTests
{
    private static List<StorageEntry> Parse(string html, string directoryPath, string baseUrl, string? charset = null) =>
        HttpListingParser.Parse(new ListingPage(Encoding.UTF8.GetBytes(html), Encoding.UTF8.GetByteCount(html), "text/html", charset,
            directoryPath, new Uri(baseUrl)), 1000);

    // IIS 7-10 directory browsing on Windows Server (en-US): absolute hrefs, date and size BEFORE the link, <dir> for folders.
    private const string IisWindowsServer = """
        <html><head><title>ortho.example.gouv.fr - /PCRS/2023/</title></head><body><H1>ortho.example.gouv.fr - /PCRS/2023/</H1><hr>

        <pre><A HREF="/PCRS/">[To Parent Directory]</A><br><br> 3/14/2023  9:05 AM        &lt;dir&gt; <A HREF="/PCRS/2023/D075/">D075</A><br>11/29/2026 10:53 PM      2171169 <A HREF="/PCRS/2023/0652_6863%20%C3%A9t%C3%A9.tif">0652_6863 été.tif</A><br> 6/15/2019 12:34 PM           90 <A HREF="/PCRS/2023/0652_6863.tfw">0652_6863.tfw</A><br>12/31/2025 11:59 PM   1073741824 <A HREF="/PCRS/2023/Big%20%231.jp2">Big #1.jp2</A><br><A HREF="/other/x.tif">x.tif</A><br></pre><hr></body></html>
        """;

    // IIS 6 (Windows Server 2003): long dates.
    private const string Iis6 = """
        <html><head><title>tiles - /ortho/</title></head><body><H1>tiles - /ortho/</H1><hr>
        <pre><A HREF="/">[To Parent Directory]</A><br><br>Sunday, June 20, 2010  6:46 PM    233170905 <A HREF="/ortho/big.tif">big.tif</A><br>Monday, March 14, 2011 11:02 AM        &lt;dir&gt; <A HREF="/ortho/D075/">D075</A><br></pre><hr></body></html>
        """;

    [Fact]
    public void Iis_on_windows_server()
    {
        var entries = Parse(IisWindowsServer, "/PCRS/2023", "http://ortho.example.gouv.fr/PCRS/2023/");
        Assert.Equal(["D075", "0652_6863 été.tif", "0652_6863.tfw", "Big #1.jp2"], entries.Select(e => e.Name));
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.Equal(new DateTimeOffset(2023, 3, 14, 9, 5, 0, TimeSpan.Zero), entries[0].LastModified);
        Assert.Equal(2171169, entries[1].Size);
        Assert.True(entries[1].SizeIsExact);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 22, 53, 0, TimeSpan.Zero), entries[1].LastModified);
        Assert.Equal(90, entries[2].Size);
        Assert.Equal(new DateTimeOffset(2019, 6, 15, 12, 34, 0, TimeSpan.Zero), entries[2].LastModified);
        Assert.Equal(1073741824, entries[3].Size);
    }

    [Fact]
    public void Iis6_long_dates()
    {
        var entries = Parse(Iis6, "/ortho", "http://tiles/ortho/");
        Assert.Equal(2, entries.Count);
        Assert.Equal(233170905, entries[0].Size);
        Assert.Equal(new DateTimeOffset(2010, 6, 20, 18, 46, 0, TimeSpan.Zero), entries[0].LastModified);
        Assert.Equal(StorageEntryKind.Directory, entries[1].Kind);
        Assert.Equal(new DateTimeOffset(2011, 3, 14, 11, 2, 0, TimeSpan.Zero), entries[1].LastModified);
    }

    [Fact]
    public void Apache_fancy_pre_with_icons_sort_links_parent_and_foreign_links()
    {
        const string html = """
            <!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
            <html><head><title>Index of /pcrs</title></head><body>
            <h1>Index of /pcrs</h1>
            <pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/">Parent Directory</a>                             -   
            <img src="/icons/folder.gif" alt="[DIR]"> <a href="D075/">D075/</a>                   2026-11-29 10:53    -   
            <img src="/icons/image2.gif" alt="[IMG]"> <a href="0652_6863.tif">0652_6863.tif</a>           2026-11-29 10:53  1.8M  
            <img src="/icons/text.gif" alt="[TXT]"> <a href="0652_6863.tfw">0652_6863.tfw</a>           2026-11-29 10:53   90   
            <img src="/icons/unknown.gif" alt="[   ]"> <a href="http://elsewhere.example/x.tif">x.tif</a>           2026-11-29 10:53   90   
            <img src="/icons/unknown.gif" alt="[   ]"> <a href="../escape.tif">escape.tif</a>           2026-11-29 10:53   90   
            <img src="/icons/unknown.gif" alt="[   ]"> <a href="sub/deeper.tif">deeper.tif</a>           2026-11-29 10:53   90   
            <hr></pre>
            </body></html>
            """;
        var entries = Parse(html, "/pcrs", "http://host/pcrs/");
        Assert.Equal(["D075", "0652_6863.tif", "0652_6863.tfw"], entries.Select(e => e.Name));
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.Equal((long)Math.Round(1.8 * 1024 * 1024), entries[1].Size);
        Assert.False(entries[1].SizeIsExact);
        Assert.Equal(90, entries[2].Size);
        Assert.True(entries[2].SizeIsExact);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 53, 0, TimeSpan.Zero), entries[2].LastModified);
    }

    [Fact]
    public void Nginx_rounded_sizes_and_truncated_link_text()
    {
        const string html = "<html>\r\n<head><title>Index of /d/</title></head>\r\n<body>\r\n<h1>Index of /d/</h1><hr><pre><a href=\"../\">../</a>\r\n"
            + "<a href=\"very_long_name_very_long_name_very_long_name_very_long_name_0652.jp2\">very_long_name_very_long_name_very_long_name_ve..&gt;</a> 29-Nov-2026 12:10                2M\r\n"
            + "<a href=\"small.tfw\">small.tfw</a>                                          29-Nov-2026 12:10               90\r\n"
            + "<a href=\"sub/\">sub/</a>                                               29-Nov-2026 12:10                -\r\n"
            + "</pre><hr></body>\r\n</html>\r\n";
        var entries = Parse(html, "/d", "http://host/d/");
        Assert.Equal("very_long_name_very_long_name_very_long_name_very_long_name_0652.jp2", entries[0].Name);
        Assert.Equal(2 * 1024 * 1024, entries[0].Size);
        Assert.False(entries[0].SizeIsExact);
        Assert.Equal(90, entries[1].Size);
        Assert.True(entries[1].SizeIsExact);
        Assert.Equal(StorageEntryKind.Directory, entries[2].Kind);
    }

    [Fact]
    public void Unsafe_names_are_dropped()
    {
        const string html = "<html><head><title>Index of /d/</title></head><body><pre>"
            + "<a href=\"a%2Fb.tif\">x</a>\n<a href=\"a%0D%0ADELE%20x\">x</a>\n<a href=\"%2E%2E/\">x</a>\n<a href=\"//evil.example/d/x.tif\">x</a>\n<a href=\"ok.tif\">ok</a>\n</pre></body></html>";
        var entries = Parse(html, "/d", "http://host/d/");
        Assert.Equal("ok.tif", Assert.Single(entries).Name);
    }

    [Fact]
    public void Empty_listing_is_empty_and_a_foreign_page_is_refused()
    {
        Assert.Empty(Parse("<html><head><title>Index of /d/</title></head><body><h1>Index of /d/</h1><pre><a href=\"../\">../</a>\n</pre></body></html>",
            "/d", "http://host/d/"));
        var error = Assert.Throws<StorageException>(() => Parse("<html><body><table></table><table></table></body></html>", "/d", "http://host/d/"));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
    }

    [Fact]
    public void Nginx_json_and_xml()
    {
        const string json = """
            [
            { "name":"sub", "type":"directory", "mtime":"Sun, 29 Nov 2026 12:10:54 GMT" },
            { "name":"a b #1.tif", "type":"file", "mtime":"Sun, 29 Nov 2026 12:10:51 GMT", "size":2171169 },
            { "name":"..", "type":"directory", "mtime":"Sun, 29 Nov 2026 12:10:51 GMT" }
            ]
            """;
        var entries = HttpListingParser.Parse(new ListingPage(Encoding.UTF8.GetBytes(json), Encoding.UTF8.GetByteCount(json), "application/json", null, "/d",
            new Uri("http://h/d/")), 100);
        Assert.Equal(2, entries.Count);
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.Equal(2171169, entries[1].Size);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 10, 51, TimeSpan.Zero), entries[1].LastModified);

        const string xml = "<?xml version=\"1.0\"?>\n<list>\n<directory mtime=\"2026-11-29T12:10:54Z\">sub</directory>\n<file mtime=\"2026-11-29T12:10:51Z\" size=\"90\">a &amp; b.tfw</file>\n</list>\n";
        entries = HttpListingParser.Parse(new ListingPage(Encoding.UTF8.GetBytes(xml), xml.Length, "text/xml", null, "/d", new Uri("http://h/d/")), 100);
        Assert.Equal(["sub", "a & b.tfw"], entries.Select(e => e.Name));
        Assert.Equal(90, entries[1].Size);
    }

    [Theory]
    [InlineData("2171169", 2171169L, true)]
    [InlineData("90", 90L, true)]
    [InlineData("1.8M", 1887437L, false)]
    [InlineData("587.9K", 602010L, false)]
    [InlineData("229K", 234496L, false)]
    [InlineData("0.1K", 102L, false)]
    [InlineData("1.2G", 1288490189L, false)]
    [InlineData("12 KB", 12288L, false)]
    public void Sizes(string text, long expected, bool exact)
    {
        Assert.True(ListingValues.FindSize(text, out long size, out bool isExact));
        Assert.Equal(expected, size);
        Assert.Equal(exact, isExact);
    }

    [Theory]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("<dir>")]
    [InlineData("image/tiff")]
    public void Not_sizes(string text) => Assert.False(ListingValues.FindSize(text, out _, out _));

    /// <summary>Runs the real python3 -m http.server on a scratch folder and parses what it serves.</summary>
    [Fact]
    public async Task Python_http_server_page_captured_live()
    {
        var ct = TestContext.Current.CancellationToken;
        string folder = Path.Combine(Path.GetTempPath(), "pcrs-pyhttp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "sub dir"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "tile été #1 100%.tif"), new byte[1234], ct);
        await File.WriteAllBytesAsync(Path.Combine(folder, "plain.jp2"), new byte[10], ct);
        // Pick a free loopback port, then wait until python3 accepts connections on it (it may start slowly on a busy machine).
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("python3", ["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(start)!;
        try
        {
            var ready = Stopwatch.StartNew();
            while (true)
            {
                using var socket = new System.Net.Sockets.TcpClient();
                try
                {
                    await socket.ConnectAsync("127.0.0.1", port, ct);
                    break;
                }
                catch (System.Net.Sockets.SocketException) when (ready.Elapsed < TimeSpan.FromSeconds(60) && !python.HasExited)
                {
                    await Task.Delay(100, ct);
                }
            }
            await using var client = HttpTestSupport.Client($"http://127.0.0.1:{port}/");
            var entries = await client.ListAsync("/", ct).ToListAsync(ct);
            Assert.Equal(["plain.jp2", "sub dir", "tile été #1 100%.tif"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
            Assert.Equal(StorageEntryKind.Directory, entries.Single(e => e.Name == "sub dir").Kind);
            // http.server ignores Range: the read is cut after the bytes needed and the total comes from Content-Length.
            var result = await client.ReadRangeAsync("/tile été #1 100%.tif", 0, new byte[16], ct);
            Assert.Equal(16, result.BytesRead);
            Assert.Equal(1234, result.TotalLength);
        }
        finally
        {
            python.Kill();
            await python.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }
}

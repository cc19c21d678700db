using System.Text;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Http;

namespace Pcrs.Storage.Tests.Http;

/// <summary>
/// Listing pages of the servers beyond the first five, captured from the Debian packages tests/peers/start.sh runs (webfs,
/// mini_httpd, ruby WEBrick, Caddy), and pages of no known style: read as rclone reads any listing, links below the
/// directory being its entries.
/// </summary>
public sealed class MoreListingStylesTests
{
    private static List<StorageEntry> Parse(string html, string directoryPath, string baseUrl, string? charset = null) =>
        HttpListingParser.Parse(new ListingPage(Encoding.UTF8.GetBytes(html), Encoding.UTF8.GetByteCount(html), "text/html", charset,
            directoryPath, new Uri(baseUrl)), 1000);

    [Fact]
    public void Webfs_ls_lines_with_rounded_sizes_before_the_link()
    {
        const string html = """
            <head><title>127.0.0.1:8085/tree/special/</title></head>
            <body bgcolor=white text=black link=darkblue vlink=firebrick alink=red>
            <h1>listing: 
            <a href="/">/</a><a href="/tree/">tree/</a><a href="/tree/special/">special/</a></h1><hr noshade size=1><pre>
            <b>access      user      group     date             size  name</b>

            drwxr-xr-x  root      root      Dec 07 00:31    &lt;DIR&gt;  <a href="../">..</a>
            drwxr-xr-x  1000      1000      Dec 07  2025    &lt;DIR&gt;  <a href="D075/">D075</a>
            -rw-r--r--  root      root      Dec 07 00:31  2120 kB  <a href="Dalle%200652%206863%20%c3%a9t%c3%a9%20&%20co%20%231%20(copie)%20100%25.tif">Dalle 0652 6863 été & co #1 (copie) 100%.tif</a>
            -rw-r--r--  1000      1000      Mar 14  2024    90  B  <a href="world_file_pair.tfw">world_file_pair.tfw</a>
            </pre><hr noshade size=1>
            <small><a href="http://bytesex.org/webfs.html">webfs/1.21</a> &nbsp; 07/Dec/2026 00:54:50 GMT</small>
            </body>
            """;
        var entries = Parse(html, "/tree/special", "http://127.0.0.1:8085/tree/special/");
        Assert.Equal(["D075", "Dalle 0652 6863 été & co #1 (copie) 100%.tif", "world_file_pair.tfw"], entries.Select(e => e.Name));
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.Equal(new DateTimeOffset(2025, 12, 7, 0, 0, 0, TimeSpan.Zero), entries[0].LastModified);
        Assert.Equal(2120 * 1024, entries[1].Size);
        Assert.False(entries[1].SizeIsExact);
        Assert.Null(entries[1].ExactSize);
        Assert.Equal(12, entries[1].LastModified!.Value.Month);
        Assert.Equal(7, entries[1].LastModified!.Value.Day);
        // The owner column holds numbers too: the size is the number nearest to the link.
        Assert.Equal(90, entries[2].Size);
        Assert.True(entries[2].SizeIsExact);
        Assert.Equal(new DateTimeOffset(2024, 3, 14, 0, 0, 0, TimeSpan.Zero), entries[2].LastModified);
    }

    [Fact]
    public void Mini_httpd_pre_with_exact_sizes_and_truncated_link_texts()
    {
        const string html = """
            <html><head><meta http-equiv="Content-type" content="text/html;charset=UTF-8"><title>Index of tree/special/</title></head>
              <body bgcolor="#99cc99" text="#000000" link="#2020ff" vlink="#4040cc">
                <h4>Index of tree/special/</h4>
                <pre>
            <a href=".">.                               </a>    07Dec2026 00:31           4096
            <a href="..">..                              </a>    07Dec2026 00:31           4096
            <a href="Dalle%200652%206863%20%c3%a9t%c3%a9%20%26%20co%20%231%20%28copie%29%20100%25.tif">Dalle 0652 6863 été & co #1 (c</a>    07Dec2026 00:31        2171169
            <a href="world_file_pair.tfw">world_file_pair.tfw             </a>    07Dec2026 00:31             90
            <a href="CC48">CC48                            </a>    07Dec2026 00:31           4096
                </pre>
                <address><a href="http://www.acme.com/software/mini_httpd/">mini_httpd/1.30 26Oct2018</a></address>
              </body></html>
            """;
        var entries = Parse(html, "/tree/special", "http://127.0.0.1:8086/tree/special/");
        Assert.Equal(["Dalle 0652 6863 été & co #1 (copie) 100%.tif", "world_file_pair.tfw", "CC48"], entries.Select(e => e.Name));
        Assert.Equal(2171169, entries[0].Size);
        Assert.True(entries[0].SizeIsExact);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 0, 31, 0, TimeSpan.Zero), entries[0].LastModified);
        // mini_httpd links sub-directories without '/': the page alone says "file"; the client asks the server (see HttpPeerTests).
        Assert.Equal(StorageEntryKind.File, entries[2].Kind);
    }

    [Fact]
    public void Webrick_table_with_slashed_dates()
    {
        const string html = """
            <HTML><HEAD><TITLE>Index of /tree/special/</TITLE></HEAD><BODY><H1>Index of /tree/special/</H1>
            <TABLE width="100%"><THEAD><TR>
            <TH class="name"><A HREF="?N=D">Name</A></TH><TH class="mtime"><A HREF="?M=D">Last modified</A></TH><TH class="size"><A HREF="?S=D">Size</A></TH>
            </TR></THEAD>
            <TBODY>
            <TR><TD class="name"><A HREF="..">Parent Directory</A></TD><TD class="mtime">2026/12/07 00:31</TD><TD class="size">-</TD></TR>
            <TR><TD class="name"><A HREF="sub/">sub/</A></TD><TD class="mtime">2026/12/07 00:30</TD><TD class="size">-</TD></TR>
            <TR><TD class="name"><A HREF="very_long_name_very_long_name_very_long_name_very_long_name_very_long_name_very_long_name_0652_6863.jp2">very_long_name_very_lon..</A></TD><TD class="mtime">2026/12/07 00:31</TD><TD class="size">599381</TD></TR>
            </TBODY></TABLE><HR><ADDRESS>WEBrick/1.8.1 (Ruby/3.1.2/2022-04-12)<BR>at 127.0.0.1:8088</ADDRESS></BODY></HTML>
            """;
        var entries = Parse(html, "/tree/special", "http://127.0.0.1:8088/tree/special/");
        Assert.Equal(["sub", "very_long_name_very_long_name_very_long_name_very_long_name_very_long_name_very_long_name_0652_6863.jp2"],
            entries.Select(e => e.Name));
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 0, 30, 0, TimeSpan.Zero), entries[0].LastModified);
        Assert.Equal(599381, entries[1].Size);
        Assert.True(entries[1].SizeIsExact);
    }

    [Fact]
    public void Caddy_browse_with_rounded_sizes_and_machine_dates()
    {
        const string html = """
            <!DOCTYPE html><html><head><title>fixtures</title><meta charset="utf-8"></head><body>
            <header><h1><a href="../">..</a>/<a href="">fixtures</a>/</h1></header>
            <main><div class="listing"><table aria-describedby="summary"><thead><tr><th></th>
            <th><a href="?sort=namedirfirst&order=desc" class="icon"></a><a href="?sort=name&order=asc">Name</a></th>
            <th><a href="?sort=size&order=asc">Size</a></th><th class="hideable"><a href="?sort=time&order=asc">Modified</a></th></tr></thead>
            <tbody>
            <tr><td></td><td><a href=".."><span class="goup">Go up</span></a></td><td>&mdash;</td><td class="hideable">&mdash;</td></tr>
            <tr class="file"><td></td><td><a href="./CC48/"><svg><use xlink:href="#folder"></use></svg><span class="name">CC48/</span></a></td>
              <td data-order="-1">&mdash;</td><td class="hideable"><time datetime=" 2026-12-07T00:31:32Z">12/07/2026 12:31:32 AM +00:00</time></td></tr>
            <tr class="file"><td></td><td><a href="./cc48_rgb_geojp2_gmljp2.jp2"><svg><use xlink:href="#file"></use></svg><span class="name">cc48_rgb_geojp2_gmljp2.jp2</span></a></td>
              <td data-order="602063">588 KiB</td><td class="hideable"><time datetime=" 2026-12-07T00:31:30Z">12/07/2026 12:31:30 AM +00:00</time></td></tr>
            </tbody></table></div></main></body></html>
            """;
        var entries = Parse(html, "/fixtures", "http://127.0.0.1:8089/fixtures/");
        Assert.Equal(["CC48", "cc48_rgb_geojp2_gmljp2.jp2"], entries.Select(e => e.Name));
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.Equal(588 * 1024, entries[1].Size);
        Assert.False(entries[1].SizeIsExact);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 0, 31, 30, TimeSpan.Zero), entries[1].LastModified);
    }

    [Fact]
    public void A_page_of_no_known_style_is_a_listing_when_it_links_below_the_directory()
    {
        const string html = """
            <!doctype html><html><head><title>Ortho 2024</title></head><body>
            <nav><a href="/">Home</a> <a href="/about.html">About</a> <a href="https://elsewhere.example/pcrs/x.tif">mirror</a></nav>
            <div class="files">
              <p><a href="D075/">D075</a> <a href="0652_6863.tif">tile</a> <em>1,8 Mo</em></p>
              <p><a href="/pcrs/2024/0652_6864.jp2">absolute</a> <a href="0652_6864.jp2">again</a></p>
              <p><a href="sub/deeper.tif">deeper</a> <a href="../other/">other</a></p>
            </div></body></html>
            """;
        var entries = Parse(html, "/pcrs/2024", "http://host/pcrs/2024/");
        Assert.Equal(["D075", "0652_6863.tif", "0652_6864.jp2"], entries.Select(e => e.Name));
        Assert.Equal(StorageEntryKind.Directory, entries[0].Kind);
        Assert.All(entries.Skip(1), e => Assert.Equal(StorageEntryKind.File, e.Kind));
        // Nothing it prints is a size this parser vouches for: the protocol gives the exact one when the file is read.
        Assert.All(entries, e => Assert.Null(e.ExactSize));
    }

    [Fact]
    public void An_empty_directory_of_no_known_style_links_back_to_its_parent_and_other_pages_are_refused()
    {
        Assert.Empty(Parse("<html><body><a href=\"../\">up</a></body></html>", "/d", "http://host/d/"));
        var error = Assert.Throws<StorageException>(() =>
            Parse("<html><head><title>Sign in</title></head><body><a href=\"/login\">Sign in</a><a href=\"/\">Home</a></body></html>", "/d", "http://host/d/"));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
        Assert.Contains("is not a directory listing", error.Message);
    }
}

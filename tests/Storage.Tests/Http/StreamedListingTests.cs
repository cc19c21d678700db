using System.Text;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Http;

namespace Pcrs.Storage.Tests.Http;

/// <summary>
/// Listing pages are read as their entries are asked for (tests/Benchmarks/LargeDirectory measures the memory of a
/// 1,000,000-entry page): entries come out before the page is read through, and markup meant to make a reader hold
/// everything (nesting without end, a row that never closes, a huge text, repeats) is read within the reader's bounds.
/// </summary>
public sealed class StreamedListingTests
{
    private static ListingPage Page(string html, string contentType = "text/html") =>
        new(Encoding.UTF8.GetBytes(html), Encoding.UTF8.GetByteCount(html), contentType, null, "/d", new Uri("http://host/d/"));

    private static string NginxLines(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"<a href=\"f{i:D6}.tif\">f{i:D6}.tif</a> 29-Nov-2026 12:10 {i}\n"));

    [Fact]
    public void Entries_come_out_before_the_page_is_read_through()
    {
        var page = Page("<html><head><title>Index of /d/</title></head><body><pre>" + NginxLines(100) + "</pre></body></html>");
        // 20 entries are handed out while the 51st, which breaks the limit of 50, has not been read yet.
        var first = HttpListingParser.Read(page, maxEntries: 50).Take(20).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"f{i:D6}.tif"), first.Select(e => e.Name));
        Assert.Equal(19, first[19].Size);
        var error = Assert.Throws<StorageException>(() => HttpListingParser.Read(page, maxEntries: 50).ToList());
        Assert.Contains("more than 50 entries", error.Message);
    }

    [Fact]
    public void Json_and_xml_listings_are_read_as_asked_too()
    {
        string json = "[" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"{{\"name\":\"f{i}.tif\",\"type\":\"file\",\"size\":{i}}}")) + ",]";
        // The trailing comma makes the document malformed at its very end: the first 2,000 items are handed out before it is read (items come in batches of 1,000).
        var first = HttpListingParser.Read(Page(json, "application/json"), 10_000).Take(2000).ToList();
        Assert.Equal(1999, first[^1].Size);
        Assert.Throws<StorageException>(() => HttpListingParser.Read(Page(json, "application/json"), 10_000).ToList());

        string xml = "<?xml version=\"1.0\"?>\n<list>" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"<file size=\"{i}\">f{i}.tif</file>")) + "<file>";
        Assert.Equal(2000, HttpListingParser.Read(Page(xml, "text/xml"), 10_000).Take(2000).Count());
        Assert.Throws<StorageException>(() => HttpListingParser.Read(Page(xml, "text/xml"), 10_000).ToList());
    }

    [Fact]
    public void Nesting_without_end_and_a_row_that_never_closes_are_read_within_bounds()
    {
        string nested = "<html><head><title>Index of /d/</title></head><body>" + string.Concat(Enumerable.Repeat("<div><span>", 50_000))
            + "<pre>" + NginxLines(3);
        var entries = HttpListingParser.Parse(Page(nested), 1000);
        Assert.Equal(["f000000.tif", "f000001.tif", "f000002.tif"], entries.Select(e => e.Name));
        Assert.Equal(2, entries[2].Size);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 10, 0, TimeSpan.Zero), entries[2].LastModified);

        // One row, never closed, of 5,000 cells with links: more anchors than the reader keeps waiting for their row.
        string row = "<html><body><table><tr>" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"<td><a href=\"f{i}.tif\">f{i}</a></td><td>{i}</td>"));
        var fromRow = HttpListingParser.Parse(Page(row), 10_000);
        Assert.Equal(5000, fromRow.Count);
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => $"f{i}.tif"), fromRow.Select(e => e.Name));
    }

    [Fact]
    public void A_huge_text_between_links_is_not_taken_for_context()
    {
        string html = "<html><head><title>Index of /d/</title></head><body><pre><a href=\"a.tif\">a.tif</a>"
            + new string('x', 1_000_000) + " 29-Nov-2026 12:10 77\n<a href=\"b.tif\">b.tif</a> 29-Nov-2026 12:10 90\n</pre></body></html>";
        var entries = HttpListingParser.Parse(Page(html), 1000);
        Assert.Equal(["a.tif", "b.tif"], entries.Select(e => e.Name));
        // a.tif's line is read up to its context limit only: the date a megabyte further is not its own.
        Assert.Null(entries[0].LastModified);
        Assert.Equal(90, entries[1].Size);
    }

    [Fact]
    public void A_repeated_link_close_behind_completes_its_entry_and_one_far_behind_is_dropped()
    {
        string html = "<html><head><title>Index of /d/</title></head><body><pre>"
            + "<a href=\"x.tif\"><img src=\"/icons/image2.gif\"></a> <a href=\"x.tif\">x.tif</a> 29-Nov-2026 12:10 90\n"
            + NginxLines(ListingCollector.Window * 3)
            + "<a href=\"x.tif\">x.tif</a> 01-Jan-2020 00:00 12\n</pre></body></html>";
        var entries = HttpListingParser.Parse(Page(html), 1000);
        Assert.Equal(1 + (ListingCollector.Window * 3), entries.Count);
        var x = entries[0];
        Assert.Equal("x.tif", x.Name);
        Assert.Equal(90, x.Size);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 10, 0, TimeSpan.Zero), x.LastModified);
    }
}

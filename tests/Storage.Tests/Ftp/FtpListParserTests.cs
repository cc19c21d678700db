using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Ftp;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>Golden LIST lines as servers really send them (captured from the peers, plus IIS and edge cases).</summary>
public sealed class FtpListParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static StorageEntry Entry(string line, DateTimeOffset? now = null)
    {
        var parsed = FtpListParser.ParseLine(line, now ?? Now);
        Assert.Equal(FtpListLineKind.Entry, parsed.Kind);
        return parsed.Entry!;
    }

    [Theory]
    // vsftpd
    [InlineData("-rw-r--r--    2 0        0         1894414 Nov 29 10:59 0652_6863.tif", "0652_6863.tif", 1894414L)]
    // pure-ftpd: wider columns
    [InlineData("-rw-r--r--    2 0          0             1894414 Nov 29 10:59 0652_6863.tif", "0652_6863.tif", 1894414L)]
    // proftpd: owner names
    [InlineData("-rw-r--r--   2 root     root      1894414 Nov 29 10:59 0652_6863.tif", "0652_6863.tif", 1894414L)]
    // no group column, no link count
    [InlineData("-rw-r--r-- owner 1894414 Nov 29 10:59 0652_6863.tif", "0652_6863.tif", 1894414L)]
    // ACL marker after the permissions, owner names with digits
    [InlineData("-rw-r--r--+  1 user123  grp99    1894414 Nov 29 10:59 0652_6863.tif", "0652_6863.tif", 1894414L)]
    public void Unix_columns_vary_but_size_date_and_name_are_found(string line, string name, long size)
    {
        var entry = Entry(line);
        Assert.Equal(name, entry.Name);
        Assert.Equal(StorageEntryKind.File, entry.Kind);
        Assert.Equal(size, entry.Size);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 59, 0, TimeSpan.Zero), entry.LastModified);
    }

    [Fact]
    public void Unix_names_keep_spaces_hashes_and_date_like_text()
    {
        var entry = Entry("-rw-r--r--    2 0        0         2171169 Nov 29 12:10 Dalle 0652 6863 été & co #1 (copie) 100%.tif");
        Assert.Equal("Dalle 0652 6863 été & co #1 (copie) 100%.tif", entry.Name);

        var tricky = Entry("-rw-r--r--    1 0        0              12 Nov 29 12:10 Nov 29 12:10  two  spaces ");
        Assert.Equal("Nov 29 12:10  two  spaces ", tricky.Name);
        Assert.Equal(12, tricky.Size);
    }

    [Fact]
    public void Unix_directory_has_no_size()
    {
        var entry = Entry("drwxr-xr-x    5 0        0            4096 Nov 29 12:10 L93");
        Assert.Equal(StorageEntryKind.Directory, entry.Kind);
        Assert.Equal("L93", entry.Name);
        Assert.Null(entry.Size);
    }

    [Fact]
    public void Unix_symlink_name_stops_before_the_arrow()
    {
        var entry = Entry("lrwxrwxrwx    1 0        0              12 Mar 03  2024 latest -> 2024/D092 x");
        Assert.Equal(StorageEntryKind.Link, entry.Kind);
        Assert.Equal("latest", entry.Name);
        Assert.Equal(new DateTimeOffset(2024, 3, 3, 0, 0, 0, TimeSpan.Zero), entry.LastModified);
    }

    [Fact]
    public void Unix_old_files_show_the_year()
    {
        var entry = Entry("-rw-r--r--    2 0        0          599381 Jun 15  2019 0652_6863_old.jp2");
        Assert.Equal(new DateTimeOffset(2019, 6, 15, 0, 0, 0, TimeSpan.Zero), entry.LastModified);
        Assert.Equal("0652_6863_old.jp2", entry.Name);
    }

    [Fact]
    public void Unix_dates_without_a_year_never_land_in_the_future()
    {
        var january = new DateTimeOffset(2027, 1, 3, 9, 0, 0, TimeSpan.Zero);
        // Listed on 3 January: "Dec 30" is last year's, "Jan 02" this year's.
        Assert.Equal(new DateTimeOffset(2026, 12, 30, 23, 59, 0, TimeSpan.Zero),
            Entry("-rw-r--r-- 1 0 0 1 Dec 30 23:59 a", january).LastModified);
        Assert.Equal(new DateTimeOffset(2027, 1, 2, 8, 0, 0, TimeSpan.Zero),
            Entry("-rw-r--r-- 1 0 0 1 Jan 02 08:00 a", january).LastModified);
        // A day of clock skew in the future is still this year.
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero),
            Entry("-rw-r--r-- 1 0 0 1 Nov 30 01:00 a").LastModified);
        // 29 February without a year: the last leap year that is not in the future.
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 10, 0, 0, TimeSpan.Zero),
            Entry("-rw-r--r-- 1 0 0 1 Feb 29 10:00 a").LastModified);
    }

    [Theory]
    [InlineData("total 12")]
    [InlineData("")]
    [InlineData("drwxr-xr-x    2 0        0            4096 Nov 29 12:10 .")]
    [InlineData("drwxr-xr-x    2 0        0            4096 Nov 29 12:10 ..")]
    [InlineData("crw-rw-rw-    1 0        0          1,   3 Nov 29 12:10 null")]
    public void Lines_without_data_entries_are_skipped(string line) =>
        Assert.Equal(FtpListLineKind.Skip, FtpListParser.ParseLine(line, Now).Kind);

    [Theory]
    [InlineData("garbage")]
    [InlineData("-rw-r--r-- 1 0 0 notasize Nov 29 10:59 a")]
    [InlineData("-rw-r--r-- 1 0 0 12 Nov 29 10:59")]
    [InlineData("-rw-r--r-- 1 0 0 99999999999999999999 Nov 29 10:59 a")]
    [InlineData("13-45-26  10:53AM  12 a")]
    public void Unknown_lines_are_reported_not_dropped(string line) =>
        Assert.Equal(FtpListLineKind.Unrecognized, FtpListParser.ParseLine(line, Now).Kind);

    [Fact]
    public void Iis_directory_and_file_lines()
    {
        var dir = Entry("11-29-26  10:53AM       <DIR>          Dalles JP2");
        Assert.Equal(StorageEntryKind.Directory, dir.Kind);
        Assert.Equal("Dalles JP2", dir.Name);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 53, 0, TimeSpan.Zero), dir.LastModified);

        var file = Entry("11-29-26  10:53PM              1894414 0652_6863 #2.tif");
        Assert.Equal(StorageEntryKind.File, file.Kind);
        Assert.Equal("0652_6863 #2.tif", file.Name);
        Assert.Equal(1894414, file.Size);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 22, 53, 0, TimeSpan.Zero), file.LastModified);
    }

    [Fact]
    public void Iis_variants_four_digit_year_24_hour_clock_and_midnight()
    {
        var file = Entry("06-15-2019  14:05                  42 old.tfw");
        Assert.Equal(new DateTimeOffset(2019, 6, 15, 14, 5, 0, TimeSpan.Zero), file.LastModified);
        Assert.Equal(42, file.Size);
        Assert.Equal(new DateTimeOffset(1999, 1, 2, 0, 30, 0, TimeSpan.Zero),
            Entry("01-02-99  12:30AM                 1 y2k.txt").LastModified);
        Assert.Equal("x", Entry("2026-11-29  10:53       <DIR>          x").Name);
    }

    [Theory]
    [InlineData("type=file;size=1894414;modify=20261129105953;UNIX.mode=0644;UNIX.uid=0;UNIX.gid=0;unique=fe00gb1e1f8; 0652_6863.tif")]
    [InlineData("modify=20261129105953;perm=adfr;size=1894414;type=file;unique=FE00UB1E1F8;UNIX.group=0;UNIX.groupname=peer;UNIX.mode=0644; 0652_6863.tif")]
    public void Mlsd_pure_ftpd_and_proftpd_lines(string line)
    {
        var parsed = FtpMlsdParser.ParseLine(line);
        Assert.Equal(FtpListLineKind.Entry, parsed.Kind);
        Assert.Equal(new StorageEntry("0652_6863.tif", StorageEntryKind.File, 1894414, new DateTimeOffset(2026, 11, 29, 10, 59, 53, TimeSpan.Zero), Source: StorageFactsSource.FtpMlsd), parsed.Entry);
    }

    [Fact]
    public void Mlsd_names_with_spaces_semicolons_and_leading_space_survive()
    {
        var parsed = FtpMlsdParser.ParseLine("type=file;size=3;modify=20261129121051.250; Dalle 0652; été #1 = x.tif");
        Assert.Equal("Dalle 0652; été #1 = x.tif", parsed.Entry!.Name);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 10, 51, 250, TimeSpan.Zero), parsed.Entry.LastModified);
        Assert.Equal(" lead", FtpMlsdParser.ParseLine("type=file;size=1;  lead").Entry!.Name);
    }

    [Theory]
    [InlineData("type=cdir;sizd=4096;modify=20261129121054;UNIX.mode=0755; .", true)]
    [InlineData("type=pdir;sizd=4096;modify=20261129121054; ..", true)]
    [InlineData("type=OS.unix=chr-3/1;modify=20261129121054; null", true)]
    [InlineData("size=3; nofacttype", false)]
    [InlineData("no facts at all", false)]
    public void Mlsd_special_lines(string line, bool skipped) =>
        Assert.Equal(skipped ? FtpListLineKind.Skip : FtpListLineKind.Unrecognized, FtpMlsdParser.ParseLine(line).Kind);

    [Fact]
    public void Mlsd_directories_and_links()
    {
        var dir = FtpMlsdParser.ParseLine("type=dir;sizd=4096;modify=20261129121054; L93").Entry!;
        Assert.Equal(StorageEntryKind.Directory, dir.Kind);
        Assert.Null(dir.Size);
        var link = FtpMlsdParser.ParseLine("modify=20261129121054;perm=adfr;size=9;type=OS.unix=slink:/tree/L93;unique=1; latest").Entry!;
        Assert.Equal(StorageEntryKind.Link, link.Kind);
        Assert.Equal("latest", link.Name);
    }
}

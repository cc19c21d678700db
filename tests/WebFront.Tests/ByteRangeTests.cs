using Pcrs.WebFront.Downloads;

namespace Pcrs.WebFront.Tests;

/// <summary>Range and If-Range headers against a file of 1000 bytes (RFC 9110 §14.1.2, §13.1.5).</summary>
public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=100-999", 100, 999)]
    [InlineData("bytes=100-5000", 100, 999)]
    [InlineData("bytes=990-", 990, 999)]
    [InlineData("bytes=-10", 990, 999)]
    [InlineData("bytes=-5000", 0, 999)]
    [InlineData("BYTES= 5 - 9 ", 5, 9)]
    public void A_single_satisfiable_range_is_clamped_to_the_file(string header, long start, long end)
    {
        Assert.Equal(new ByteRange(start, end), ByteRange.Parse(header, 1000, out bool unsatisfiable));
        Assert.False(unsatisfiable);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-10")]
    [InlineData("bytes=0-10,20-30")]
    [InlineData("bytes=10-5")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=-")]
    [InlineData("bytes=+5-9")]
    [InlineData("bytes=99999999999999999999999-")]
    public void Anything_else_means_the_whole_file(string? header)
    {
        Assert.Null(ByteRange.Parse(header, 1000, out bool unsatisfiable));
        Assert.False(unsatisfiable);
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")]
    public void A_range_past_the_end_is_unsatisfiable(string header)
    {
        Assert.Null(ByteRange.Parse(header, 1000, out bool unsatisfiable));
        Assert.True(unsatisfiable);
    }

    [Fact]
    public void If_range_holds_only_for_the_exact_last_modified_date()
    {
        var modified = new DateTimeOffset(2026, 11, 29, 15, 4, 5, TimeSpan.Zero);
        Assert.True(ByteRange.IfRangeHolds(null, modified));
        Assert.True(ByteRange.IfRangeHolds("Sun, 29 Nov 2026 15:04:05 GMT", modified));
        Assert.True(ByteRange.IfRangeHolds("Sun, 29 Nov 2026 15:04:05 GMT", modified.AddMilliseconds(300)));
        Assert.False(ByteRange.IfRangeHolds("Sun, 29 Nov 2026 15:04:06 GMT", modified));
        Assert.False(ByteRange.IfRangeHolds("\"an-etag\"", modified));
        Assert.False(ByteRange.IfRangeHolds("not a date", modified));
        Assert.False(ByteRange.IfRangeHolds("Sun, 29 Nov 2026 15:04:05 GMT", null));
    }
}

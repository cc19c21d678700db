using System.Text;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Ftp;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>Reply reader, passive-reply parsing and name decoding, on bytes.</summary>
public sealed class FtpProtocolTests
{
    private static FtpReplyReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Reads_single_and_multi_line_replies_in_sequence()
    {
        var reader = Reader("220 ready\r\n211-Features:\r\n EPSV\r\n211-not the end\r\n MLST type*;size*;\r\n211 End\r\n200 ok\n");
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(220, (await reader.ReadAsync(ct)).Code);
        var feat = await reader.ReadAsync(ct);
        Assert.Equal(211, feat.Code);
        Assert.Equal(6 - 1, feat.Lines.Count);
        var features = FtpFeatures.Parse(feat);
        Assert.True(features.MachineListing);
        Assert.True(features.Has("EPSV"));
        Assert.False(features.Utf8);
        var ok = await reader.ReadAsync(ct);
        Assert.Equal(200, ok.Code);
        Assert.Equal("ok", ok.Message);
    }

    [Fact]
    public async Task Closed_connection_is_transient_and_junk_is_a_protocol_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var closed = await Assert.ThrowsAsync<StorageException>(async () => await Reader("").ReadAsync(ct));
        Assert.Equal(StorageErrorKind.Transient, closed.Kind);
        var junk = await Assert.ThrowsAsync<StorageException>(async () => await Reader("HTTP/1.1 400 Bad Request\r\n").ReadAsync(ct));
        Assert.Equal(StorageErrorKind.Protocol, junk.Kind);
    }

    [Fact]
    public async Task Endless_lines_and_endless_replies_are_bounded()
    {
        var ct = TestContext.Current.CancellationToken;
        var longLine = await Assert.ThrowsAsync<StorageException>(async () => await Reader("220 " + new string('x', 100_000) + "\r\n").ReadAsync(ct));
        Assert.Equal(StorageErrorKind.Protocol, longLine.Kind);
        var many = new StringBuilder("211-start\r\n");
        for (int i = 0; i < 5000; i++)
            many.Append(" line\r\n");
        var endless = await Assert.ThrowsAsync<StorageException>(async () => await Reader(many.ToString()).ReadAsync(ct));
        Assert.Contains("lines", endless.Message);
    }

    [Theory]
    [InlineData("229 Entering Extended Passive Mode (|||30001|)", 30001)]
    [InlineData("229 Entering Extended Passive Mode (!!!2121!)", 2121)]
    public void Epsv_port(string line, int port)
    {
        Assert.True(FtpControlConnection.TryParseEpsvPort(new FtpReply(229, [line]), out int parsed));
        Assert.Equal(port, parsed);
    }

    [Theory]
    [InlineData("227 Entering Passive Mode (127,0,0,1,117,48).", 30000)]
    [InlineData("227 Entering Passive Mode 10,1,2,3,117,49", 30001)] // private address announced: ignored anyway
    public void Pasv_port_ignores_the_address(string line, int port)
    {
        Assert.True(FtpControlConnection.TryParsePasvPort(new FtpReply(227, [line]), out int parsed));
        Assert.Equal(port, parsed);
        Assert.False(FtpControlConnection.TryParsePasvPort(new FtpReply(227, ["227 (1,2,3,4,999,1)"]), out _));
    }

    [Fact]
    public void Non_utf8_names_fall_back_to_latin1_and_round_trip()
    {
        byte[] latin1 = [(byte)'e', 0xE9, (byte)'t', 0xE9];
        string name = FtpText.Decode(latin1);
        Assert.Equal("été".Length + 1, name.Length);
        Assert.Equal("eété", name);
        Assert.True(FtpText.HasLatin1Alternative("/a/" + name));
        Assert.Equal([.. latin1, (byte)'\r', (byte)'\n'], FtpText.EncodeCommand(name, latin1: true));
        Assert.Equal("été", FtpText.Decode(Encoding.UTF8.GetBytes("été")));
        Assert.False(FtpText.HasLatin1Alternative("/ascii"));
        Assert.False(FtpText.HasLatin1Alternative("/日本"));
    }

    [Theory]
    [InlineData(421, "421 Too many connections (4) from this IP", StorageErrorKind.TooManyConnections)]
    [InlineData(530, "530 Sorry, the maximum number of clients (5) from your host are already connected.", StorageErrorKind.TooManyConnections)]
    [InlineData(530, "530 Too many users - try again later", StorageErrorKind.TooManyConnections)]
    [InlineData(530, "530 Login incorrect.", StorageErrorKind.Authentication)]
    [InlineData(550, "550 Failed to open file.", StorageErrorKind.NotFound)]
    [InlineData(550, "550 /secret: Permission denied", StorageErrorKind.Authentication)]
    [InlineData(425, "425 Can't open data connection.", StorageErrorKind.Transient)]
    [InlineData(500, "500 Unknown command.", StorageErrorKind.Protocol)]
    public void Replies_map_to_error_kinds(int code, string line, StorageErrorKind kind) =>
        Assert.Equal(kind, FtpErrors.FromReply(new FtpReply(code, [line]), "Testing").Kind);

    [Fact]
    public void Session_reuse_refusal_names_the_server_setting()
    {
        var error = FtpErrors.FromReply(new FtpReply(522, ["522 SSL connection failed: session reuse required"]), "Listing /");
        Assert.Equal(StorageErrorKind.Trust, error.Kind);
        Assert.Contains("require_ssl_reuse", error.Message);
    }
}

using Pcrs.Grains.Storage;

namespace Pcrs.Storage.Tests;

public sealed class StorageLocationTests
{
    [Theory]
    [InlineData("ftp://ftp3.example.fr/Ortho/Dalles-JP2", StorageProtocol.Ftp, "ftp3.example.fr", 21, "/Ortho/Dalles-JP2")]
    [InlineData("ftpes://Host.Example.FR:2122/", StorageProtocol.FtpExplicitTls, "host.example.fr", 2122, "/")]
    [InlineData("ftps://h/", StorageProtocol.FtpImplicitTls, "h", 990, "/")]
    [InlineData("sftp://h/data/", StorageProtocol.Sftp, "h", 22, "/data")]
    [InlineData("https://h/dalles/", StorageProtocol.Https, "h", 443, "/dalles")]
    [InlineData("http://127.0.0.1:8081/tree/special/Dalle%200652%20%23", StorageProtocol.Http, "127.0.0.1", 8081, "/tree/special/Dalle 0652 #")]
    [InlineData("file:///srv/pcrs/", StorageProtocol.File, "", 0, "/srv/pcrs")]
    public void Parses_scheme_host_port_and_decoded_path(string url, StorageProtocol protocol, string host, int port, string path)
    {
        var location = StorageLocation.Parse(url, out _);

        Assert.Equal(protocol, location.Protocol);
        Assert.Equal(host, location.Host);
        Assert.Equal(port, location.Port);
        Assert.Equal(path, location.Path);
    }

    [Fact]
    public void User_info_is_decoded_and_the_password_kept_out_of_the_location()
    {
        var location = StorageLocation.Parse("ftp://us%40er:p%3Ass@h:2121/x", out string? password);

        Assert.Equal("us@er", location.UserName);
        Assert.Equal("p:ss", password);
        Assert.DoesNotContain("p:ss", location.ToString());
        Assert.DoesNotContain("p:ss", location.IdentityKey);
    }

    [Fact]
    public void Identity_ignores_path_and_tls_mode_but_not_account_or_port()
    {
        string a = StorageLocation.Parse("ftp://u@H:21/a", out _).IdentityKey;
        string b = StorageLocation.Parse("ftpes://u@h/b/c", out _).IdentityKey;
        string otherAccount = StorageLocation.Parse("ftp://v@h/a", out _).IdentityKey;
        string otherPort = StorageLocation.Parse("ftp://u@h:2121/a", out _).IdentityKey;

        Assert.Equal("ftp://u@h:21", a);
        Assert.Equal(a, b);
        Assert.NotEqual(a, otherAccount);
        Assert.NotEqual(a, otherPort);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-scheme/path")]
    [InlineData("gopher://h/")]
    [InlineData("ftp:///nohost")]
    public void Malformed_urls_are_refused_with_a_clear_error(string url)
    {
        var error = Assert.Throws<StorageException>(() => StorageLocation.Parse(url, out _));
        Assert.Equal(StorageErrorKind.Invalid, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("/a\r\nDELE b")]
    [InlineData("/a\0b")]
    [InlineData("/a\nb")]
    public void Control_characters_in_paths_are_refused(string path)
    {
        var error = Assert.Throws<StorageException>(() => StorageLocation.NormalizePath(path));
        Assert.Equal(StorageErrorKind.Invalid, error.Kind);
    }

    [Theory]
    [InlineData("/a/./b/../c/", "/a/c")]
    [InlineData("/../../etc", "/etc")]
    [InlineData("", "/")]
    [InlineData("a\\b", "/a/b")]
    public void Paths_are_normalised_and_never_climb_above_the_root(string path, string expected) =>
        Assert.Equal(expected, StorageLocation.NormalizePath(path));
}

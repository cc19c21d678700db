using System.Globalization;

namespace Pcrs.Grains.Storage;

/// <summary>Protocols named as FileZilla names them in URLs.</summary>
public enum StorageProtocol
{
    /// <summary><c>http://</c></summary>
    Http,
    /// <summary><c>https://</c></summary>
    Https,
    /// <summary><c>ftp://</c> plain FTP.</summary>
    Ftp,
    /// <summary><c>ftpes://</c> FTP with explicit TLS (AUTH TLS), required.</summary>
    FtpExplicitTls,
    /// <summary><c>ftps://</c> FTP with implicit TLS (usually port 990).</summary>
    FtpImplicitTls,
    /// <summary><c>sftp://</c> SSH file transfer.</summary>
    Sftp,
    /// <summary><c>file://</c> a local or mounted folder.</summary>
    File,
}

/// <summary>
/// Where a storage is and which path of it is meant, parsed from a storage URL. Never holds a password.
/// </summary>
public sealed record StorageLocation(StorageProtocol Protocol, string Host, int Port, string? UserName, string Path)
{
    /// <summary>
    /// The storage's identity: protocol family, lower-cased host, explicit port and account. Never the password, the path
    /// or the FTP TLS mode, so deliverables that declare the same server share one StorageGrain and one crawl.
    /// </summary>
    public string IdentityKey => Protocol switch
    {
        StorageProtocol.File => "file://",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{Family}://{(UserName is null ? "" : Uri.EscapeDataString(UserName) + "@")}{FormatHost(Host)}:{Port}"),
    };

    /// <summary>The protocol family used in identity keys: http, https, ftp, sftp or file.</summary>
    public string Family => Protocol switch
    {
        StorageProtocol.Http => "http",
        StorageProtocol.Https => "https",
        StorageProtocol.Ftp or StorageProtocol.FtpExplicitTls or StorageProtocol.FtpImplicitTls => "ftp",
        StorageProtocol.Sftp => "sftp",
        _ => "file",
    };

    public bool IsFtp => Protocol is StorageProtocol.Ftp or StorageProtocol.FtpExplicitTls or StorageProtocol.FtpImplicitTls;

    public bool IsHttp => Protocol is StorageProtocol.Http or StorageProtocol.Https;

    public static int DefaultPort(StorageProtocol protocol) => protocol switch
    {
        StorageProtocol.Http => 80,
        StorageProtocol.Https => 443,
        StorageProtocol.Ftp or StorageProtocol.FtpExplicitTls => 21,
        StorageProtocol.FtpImplicitTls => 990,
        StorageProtocol.Sftp => 22,
        _ => 0,
    };

    /// <summary>
    /// Parses a storage URL. User-info is percent-decoded; a password in it is returned separately and never kept here.
    /// The path is decoded, always starts with '/', and keeps a trailing '/' only for the root.
    /// </summary>
    public static StorageLocation Parse(string url, out string? password)
    {
        password = null;
        if (string.IsNullOrWhiteSpace(url))
            throw new StorageException(StorageErrorKind.Invalid, "The storage URL is empty.");
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
            throw new StorageException(StorageErrorKind.Invalid, "The storage URL has no scheme (expected http, https, ftp, ftpes, ftps, sftp or file).");
        var protocol = url[..schemeEnd].ToLowerInvariant() switch
        {
            "http" => StorageProtocol.Http,
            "https" => StorageProtocol.Https,
            "ftp" => StorageProtocol.Ftp,
            "ftpes" => StorageProtocol.FtpExplicitTls,
            "ftps" => StorageProtocol.FtpImplicitTls,
            "sftp" => StorageProtocol.Sftp,
            "file" => StorageProtocol.File,
            var other => throw new StorageException(StorageErrorKind.Invalid,
                $"Unsupported storage URL scheme '{other}' (expected http, https, ftp, ftpes, ftps, sftp or file)."),
        };

        if (protocol == StorageProtocol.File)
        {
            string localPath = Uri.UnescapeDataString(url[(schemeEnd + 3)..]);
            // file:///srv/data and file://localhost/srv/data both name /srv/data.
            if (localPath.StartsWith("localhost/", StringComparison.OrdinalIgnoreCase))
                localPath = localPath["localhost".Length..];
            return new StorageLocation(protocol, "", 0, null, NormalizePath(localPath));
        }

        // System.Uri does not know ftpes/sftp defaults; parse with a neutral scheme and apply our own.
        if (!Uri.TryCreate("x-storage" + url[schemeEnd..], UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new StorageException(StorageErrorKind.Invalid, "The storage URL is malformed or has no host.");

        string? user = null;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
                password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (user.Length == 0)
                user = null;
        }

        int port = uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort(protocol) : uri.Port;
        string host = uri.IdnHost.Trim('[', ']').ToLowerInvariant();
        string path = NormalizePath(Uri.UnescapeDataString(uri.AbsolutePath));
        return new StorageLocation(protocol, host, port, user, path);
    }

    /// <summary>Decoded absolute path with '/' separators, no trailing slash except for the root; rejects control characters.</summary>
    public static string NormalizePath(string path)
    {
        StoragePaths.EnsureSafe(path);
        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != ".");
        var stack = new List<string>();
        foreach (var segment in segments)
        {
            if (segment == "..")
            {
                if (stack.Count > 0)
                    stack.RemoveAt(stack.Count - 1);
            }
            else
            {
                stack.Add(segment);
            }
        }
        return "/" + string.Join('/', stack);
    }

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    public override string ToString() => Protocol == StorageProtocol.File
        ? "file://" + Path
        : $"{ProtocolScheme(Protocol)}://{(UserName is null ? "" : Uri.EscapeDataString(UserName) + "@")}{FormatHost(Host)}:{Port}{Path}";

    public static string ProtocolScheme(StorageProtocol protocol) => protocol switch
    {
        StorageProtocol.Http => "http",
        StorageProtocol.Https => "https",
        StorageProtocol.Ftp => "ftp",
        StorageProtocol.FtpExplicitTls => "ftpes",
        StorageProtocol.FtpImplicitTls => "ftps",
        StorageProtocol.Sftp => "sftp",
        _ => "file",
    };
}

using System.Text.RegularExpressions;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>Turns FTP replies into <see cref="StorageException"/>s whose kind tells the caller what to do next.</summary>
internal static partial class FtpErrors
{
    /// <summary>
    /// Phrases servers put in 530/421 replies when the account is fine but the server is full (lftp's list, from years
    /// of field reports). Such a reply means "come back later", never "wrong password".
    /// </summary>
    [GeneratedRegex(@"too many|no more connection|overloaded|try (?:again |back )?later|is restricted to|maximum number|number of connect|only.*session.*allowed|more connection|already connected|simultaneous login|too many users",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex TooManyPhrases();

    /// <summary>Matched on the reply's bounded text (at most a few hundred characters), so no match timeout is needed.</summary>
    public static bool SaysTooMany(FtpReply reply) => TooManyPhrases().IsMatch(reply.ToString());

    /// <summary>The exception for a reply that ended <paramref name="what"/> (e.g. "listing /a/b"), classified by code and text.</summary>
    public static StorageException FromReply(FtpReply reply, string what)
    {
        string said = $"{what}: the FTP server answered '{reply}'";
        var kind = reply.Code switch
        {
            421 => StorageErrorKind.TooManyConnections,
            530 when SaysTooMany(reply) => StorageErrorKind.TooManyConnections,
            530 or 532 => StorageErrorKind.Authentication,
            550 when DeniesAccess(reply) => StorageErrorKind.Authentication,
            550 or 450 when IsNotFoundText(reply) => StorageErrorKind.NotFound,
            550 => StorageErrorKind.NotFound,
            553 or 501 => StorageErrorKind.Invalid,
            500 when reply.IsSessionFailure => StorageErrorKind.Transient,
            500 or 502 or 504 => StorageErrorKind.Protocol,
            522 or 534 or 536 => StorageErrorKind.Trust,
            >= 400 and < 500 => StorageErrorKind.Transient,
            _ => StorageErrorKind.Protocol,
        };
        if (reply.Code == 522 || (reply.Code is 425 or 450 && reply.ToString().Contains("reuse", StringComparison.OrdinalIgnoreCase)))
        {
            // vsftpd (require_ssl_reuse=YES) and FileZilla Server demand that the data connection resumes the control
            // connection's TLS session. This client does resume it; getting here means resumption failed anyway.
            return new StorageException(StorageErrorKind.Trust,
                $"{said}. The server requires TLS session reuse on data connections (vsftpd: require_ssl_reuse=YES) and the " +
                "data connection's TLS session was not resumed. Setting require_ssl_reuse=NO on the server works around it.");
        }
        return new StorageException(kind, said + ".");
    }

    private static bool DeniesAccess(FtpReply reply)
    {
        var text = reply.ToString();
        return text.Contains("denied", StringComparison.OrdinalIgnoreCase) || text.Contains("permission", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsNotFoundText(FtpReply reply) =>
        reply.ToString().Contains("no such", StringComparison.OrdinalIgnoreCase) ||
        reply.ToString().Contains("not found", StringComparison.OrdinalIgnoreCase);
}

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>One complete FTP reply (RFC 959 §4.2): a three-digit code and its text lines (one, or several for "xyz-" replies).</summary>
internal sealed record FtpReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>1yz: the command started; another reply follows.</summary>
    public bool IsPreliminary => Code is >= 100 and < 200;

    /// <summary>2yz: the command completed.</summary>
    public bool IsCompletion => Code is >= 200 and < 300;

    /// <summary>3yz: the command was accepted and waits for the next one (USER → PASS, REST → RETR).</summary>
    public bool IsIntermediate => Code is >= 300 and < 400;

    /// <summary>
    /// "500 OOPS: ..." is vsftpd's reply when its session process hit an internal failure (e.g. no free passive port to
    /// bind: "vsf_sysutil_bind"; its helper process gone: "priv_sock_get_int"); the session then exits. Not a verdict on
    /// the command: the same command on a new connection usually succeeds.
    /// </summary>
    public bool IsSessionFailure => Code == 500 && Message.StartsWith("OOPS:", StringComparison.Ordinal);

    /// <summary>The text after the code on the last line (what servers put their message in).</summary>
    public string Message => Lines.Count == 0 ? "" : Lines[^1].Length > 4 ? Lines[^1][4..] : "";

    /// <summary>All lines joined, for diagnostics; bounded so an endless reply never fills a log or an exception.</summary>
    public override string ToString()
    {
        var text = string.Join(" | ", Lines);
        return text.Length <= 300 ? text : text[..300] + "…";
    }
}

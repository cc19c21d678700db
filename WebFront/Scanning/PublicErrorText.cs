using System.Globalization;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Logging;

namespace Pcrs.WebFront.Scanning;

/// <summary>
/// A scan error sentence as anonymous callers may read it: a password in a connection string or URL is masked, and the
/// storage's address (host and port) is replaced by "the storage" unless its owner made the connection public. The
/// paths in the sentence stay: they are the deliverable's own public paths.
/// </summary>
public static class PublicErrorText
{
    private const string Placeholder = "the storage";

    public static string For(string error, DeclarationRow storage)
    {
        var text = SecretMaskingEnricher.MaskSecrets(error);
        if (storage.PublicConnection || string.IsNullOrEmpty(storage.Host))
            return text;
        string host = storage.Host.Trim('[', ']');
        string port = storage.Port.ToString(CultureInfo.InvariantCulture);
        // The address with its port first, bracketed (IPv6) or not, then the bare host.
        foreach (var form in new[] { "[" + host + "]:" + port, host + ":" + port, "[" + host + "]", host })
            text = text.Replace(form, Placeholder, StringComparison.OrdinalIgnoreCase);
        return text;
    }
}

using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Pcrs.Grains.Hosting.Logging;

/// <summary>
/// Last line of defence for "passwords are never logged": masks password-like parts of every string property
/// (connection strings "Password=...", URLs "scheme://user:secret@host") before any sink sees the event.
/// Code should still not log secrets in the first place.
/// </summary>
public sealed partial class SecretMaskingEnricher : ILogEventEnricher
{
    public const string Mask = "***";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? replacements = null;
        foreach ((string name, LogEventPropertyValue value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && MaskSecrets(text) is var masked && !ReferenceEquals(masked, text))
            {
                (replacements ??= []).Add(new LogEventProperty(name, new ScalarValue(masked)));
            }
        }

        foreach (LogEventProperty property in replacements ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>Returns <paramref name="text"/> itself when there is nothing to mask.</summary>
    public static string MaskSecrets(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        string result = ConnectionStringSecret().Replace(text, m => m.Groups["key"].Value + "=" + Mask);
        result = UrlUserInfoSecret().Replace(result, m => m.Groups["prefix"].Value + Mask + "@");
        return result == text ? text : result;
    }

    [GeneratedRegex(@"(?<key>\b(?:password|pwd|passwd)\s*)=\s*(?:""[^""]*""|'[^']*'|[^;]*)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ConnectionStringSecret();

    [GeneratedRegex(@"(?<prefix>[a-z][a-z0-9+.-]*://[^/:@\s]+:)[^@/\s]+@", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlUserInfoSecret();
}

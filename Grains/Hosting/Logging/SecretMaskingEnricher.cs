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

    /// <summary>Returns <paramref name="text"/> itself when there is nothing to mask. Linear in the length of the text.</summary>
    public static string MaskSecrets(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        string result = text.Contains('=') ? ConnectionStringSecret().Replace(text, m => m.Groups["key"].Value + "=" + Mask) : text;
        result = MaskUrlPasswords(result);
        return result == text ? text : result;
    }

    /// <summary>
    /// Masks the password of "scheme://user:password@host". Scanned by hand from each "://": the regular expression this
    /// replaces backtracked from every letter of a long word (2.2 s for 400,000 letters). Only a real user-info part is
    /// masked: user and password hold no '/', '@', whitespace or '|' (the grain-key separator, so a key such as
    /// "http://host:8081|/a@b" stays as it is), and a host follows the '@'.
    /// </summary>
    private static string MaskUrlPasswords(string text)
    {
        System.Text.StringBuilder? masked = null;
        int copied = 0;
        for (int at = text.IndexOf("://", StringComparison.Ordinal); at > 0; at = text.IndexOf("://", at + 3, StringComparison.Ordinal))
        {
            if (!char.IsAsciiLetterOrDigit(text[at - 1]))
            {
                continue;
            }

            int user = at + 3, colon = user;
            while (colon < text.Length && !EndsUser(text[colon]))
            {
                colon++;
            }

            if (colon == user || colon >= text.Length || text[colon] != ':')
            {
                continue;
            }

            int password = colon + 1, atSign = password;
            while (atSign < text.Length && !EndsPassword(text[atSign]))
            {
                atSign++;
            }

            if (atSign == password || atSign + 1 >= text.Length || text[atSign] != '@' || !IsHostStart(text[atSign + 1]))
            {
                continue;
            }

            masked ??= new System.Text.StringBuilder(text.Length);
            masked.Append(text, copied, password - copied).Append(Mask);
            copied = atSign;
        }

        return masked is null ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool EndsUser(char c) => c is '/' or ':' or '@' or '|' || char.IsWhiteSpace(c);

    private static bool EndsPassword(char c) => c is '/' or '@' or '|' || char.IsWhiteSpace(c);

    private static bool IsHostStart(char c) => char.IsAsciiLetterOrDigit(c) || c == '[';

    [GeneratedRegex(@"(?<key>\b(?:password|pwd|passwd)\s*)=\s*(?:""[^""]*""|'[^']*'|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex ConnectionStringSecret();
}

using System.Globalization;

namespace Pcrs.WebFront.Validation;

/// <summary>Small checks shared by the project and storage validators; each names the field it rejects.</summary>
internal static class FieldRules
{
    public const int MaxTextLength = 500;

    /// <summary>Trimmed text, or null when empty. Rejects control characters and over-long values.</summary>
    public static string? Text(ValidationErrors errors, string field, string? value, bool required, int maxLength = MaxTextLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
                errors.Add(field, "This field is required.");
            return null;
        }
        if (trimmed.Length > maxLength)
        {
            errors.Add(field, $"At most {maxLength} characters.");
            return null;
        }
        if (HasControlCharacter(trimmed))
        {
            errors.Add(field, "Control characters (CR, LF, NUL…) are not allowed.");
            return null;
        }
        return trimmed;
    }

    /// <summary>One of <paramref name="allowed"/>; the message lists them.</summary>
    public static string? OneOf(ValidationErrors errors, string field, string? value, IReadOnlyCollection<string> allowed, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
                errors.Add(field, $"This field is required (one of: {string.Join(", ", allowed)}).");
            return null;
        }
        var normalized = value.Trim().ToLowerInvariant();
        if (!allowed.Contains(normalized, StringComparer.Ordinal))
        {
            errors.Add(field, $"Unknown value '{Shorten(value)}' (expected one of: {string.Join(", ", allowed)}).");
            return null;
        }
        return normalized;
    }

    /// <summary>A calendar date written YYYY-MM-DD.</summary>
    public static DateOnly? Date(ValidationErrors errors, string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
                errors.Add(field, "This field is required (a date written YYYY-MM-DD).");
            return null;
        }
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add(field, $"'{Shorten(value)}' is not a date written YYYY-MM-DD.");
            return null;
        }
        return date;
    }

    /// <summary>An absolute http or https URL.</summary>
    public static string? WebUrl(ValidationErrors errors, string field, string? value, bool required)
    {
        var text = Text(errors, field, value, required, 2000);
        if (text is null)
            return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(field, "An absolute http or https URL is expected.");
            return null;
        }
        return text;
    }

    public static bool IsDigits(string value, int length) => value.Length == length && value.All(char.IsAsciiDigit);

    public static bool HasControlCharacter(string value) => value.Any(c => c < 0x20 || c == 0x7F);

    /// <summary>Echoes at most 40 characters of a rejected value, without control characters.</summary>
    public static string Shorten(string value)
    {
        var clean = new string(value.Where(c => !(c < 0x20 || c == 0x7F)).Take(40).ToArray());
        return value.Length > 40 ? clean + "…" : clean;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Pcrs.Grains.Hosting.Settings;

/// <summary>
/// Checks the hosting settings read before the host exists (the silo's "Orleans" section, the embedded database's
/// "Database" section) by their data annotations, as ValidateOnStart checks the options bound through the host: a bad value
/// stops the start with a message naming its configuration key, instead of failing later somewhere else.
/// </summary>
public static class HostingOptionsValidation
{
    /// <summary>Returns <paramref name="options"/> when every annotated property of it is valid, else throws naming each bad key.</summary>
    /// <param name="section">The configuration path of <paramref name="options"/> ("Orleans", "Orleans:Endpoints").</param>
    public static T Validated<T>(T options, string section) where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            return options;
        var problems = results.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        throw new InvalidOperationException("Invalid configuration. " + string.Join(" ", problems));
    }
}

namespace Pcrs.WebFront.Validation;

/// <summary>Collects validation messages per field name (JSON path in camelCase, e.g. "steps[1].startDate").</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
            _errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>Copies <paramref name="other"/>'s messages under <paramref name="prefix"/> ("storages[0]" + "." + "host").</summary>
    public void AddAll(string prefix, ValidationErrors other)
    {
        foreach (var (field, messages) in other._errors)
        {
            foreach (var message in messages)
                Add(field == "body" ? prefix : $"{prefix}.{field}", message);
        }
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

namespace Pcrs.Grains.Storage;

/// <summary>Login for a storage. <see cref="ToString"/> never shows the password, so it cannot leak through logs.</summary>
public sealed record StorageCredentials(string? UserName, string? Password)
{
    public static StorageCredentials Anonymous { get; } = new(null, null);

    public override string ToString() => $"StorageCredentials {{ UserName = {UserName ?? "(none)"}, Password = {(Password is null ? "(none)" : "***")} }}";
}

using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Scanning;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Projects;

/// <summary>
/// Checking and handing over one storage declaration, for PUT …/storage and the bulk import alike: the field checks, the
/// address checks, then the password encrypted with the deployment's key ring before it reaches the grains.
/// </summary>
public static class StorageDeclaring
{
    /// <summary>The validated declaration, or null with the reasons in <paramref name="errors"/> (field names as in the body).</summary>
    public static async Task<ValidatedStorage?> ValidateAsync(
        StorageRequest? request, IAddressGuard addressGuard, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var storage = StorageValidator.Validate(request, errors);
        if (storage is null)
            return null;
        try
        {
            // The same checks the clients apply at connect time; here they give the owner an early, named error.
            await addressGuard.ResolveAsync(storage.Location.Host, cancellationToken);
            return storage;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.AddressRefused or StorageErrorKind.Invalid)
        {
            errors.Add(storage.HostField, e.Message);
        }
        catch (StorageException e)
        {
            errors.Add(storage.HostField, $"The host could not be resolved: {e.Message}");
        }
        return null;
    }

    /// <summary>Hands the declaration to the deliverable's storage grain (which proves the login before attaching it).</summary>
    public static Task DeclareAsync(
        IScanGateway scans, ISecretProtector protector, Guid deliverableId, ValidatedStorage storage, CancellationToken cancellationToken)
    {
        // Encrypted here, with the deployment's one key ring: the grain, the wire and the database only see cipher text.
        string? protectedPassword = storage.Credentials.Password is { } password ? protector.Protect(password) : null;
        return scans.DeclareAsync(deliverableId, storage.Location, protectedPassword, storage.PublicConnection, storage.DownloadAllowed,
            storage.Trust, storage.RescanDays, cancellationToken);
    }
}

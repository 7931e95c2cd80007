using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrmBot.Crm.Import;

public static class ContactImportServiceCollectionExtensions
{
    /// <summary>The contact importer (CLI verb today; a CSV attached in chat can use the same service later).</summary>
    public static IServiceCollection AddContactImport(this IServiceCollection services)
    {
        // One PhoneNumberUtil-backed normaliser for the process: its metadata is large and immutable.
        services.TryAddSingleton<PhoneNormalizer>();
        services.TryAddScoped<ContactImporter>();
        return services;
    }
}

using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// An assembly that embeds migrations for its module's own tables, as resources named
/// <c>migrations/{Sqlite|Postgres}/NNNN_name.sql</c>. Each module takes its own version range (Accounts 01xx,
/// Backlinks 02xx, …); Storage applies them with its own, in version order.
/// </summary>
public sealed record MigrationSource(Assembly Assembly);

public static class MigrationSourceServiceCollectionExtensions
{
    public static IServiceCollection AddMigrations(this IServiceCollection services, Assembly moduleAssembly) =>
        services.AddSingleton(new MigrationSource(moduleAssembly));
}

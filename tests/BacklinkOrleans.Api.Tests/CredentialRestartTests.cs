using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.Hosting;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Storage.EventStore;
using BacklinkOrleans.Storage.Sqlite;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Api.Tests;

/// <summary>Secrets survive a restart with the same master key, and a wrong master key stops the Host, named, not guessed.</summary>
public sealed class CredentialRestartTests
{
    private const string Secret = "IndexNowKey-survives-restart";

    [Fact]
    public async Task SecretsAreReadableAfterARestart_OnlyWithTheSameMasterKey()
    {
        await using var temp = TempFolder.Create("backlink-restart-");
        var folder = temp.Path;
        var masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        string tenant, credential;
        await using (var first = new RestartableApiFactory(folder, masterKey))
        {
            await ((IAsyncLifetime)first).InitializeAsync();
            var (id, client) = await first.NewTenantAsync();
            var added = await client.AddCredentialAsync(CredentialRequests.IndexNow("restart.example", Secret));
            (tenant, credential) = (id, added.Id);
        }

        await using (var second = new RestartableApiFactory(folder, masterKey))
        {
            await ((IAsyncLifetime)second).InitializeAsync();
            var directory = second.Services.GetRequiredService<ICredentialDirectory>();
            Assert.Equal(Secret, await directory.RevealAsync(TenantId.From(tenant), credential, CancellationToken.None));
        }

        // Another master key opens no secret, and since the log's chains are keyed by the master key (ADR 0023) a Host
        // with it does not even start: the start-up check names the chain key the log was written with.
        var otherKey = EventChainKey.FromMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var database = new SqliteDatabase(new StorageSettings(null, folder).SqlitePath);
        await using var store = new SqliteEventStore(database, [], TimeProvider.System, new EventStoreOptions { ChainKey = otherKey }, NullLogger<SqliteEventStore>.Instance);
        var refused = await Assert.ThrowsAsync<StartupCheckException>(() => store.EnsureChainKeyAsync(keyUnkeyedLog: true, CancellationToken.None));
        Assert.Contains("were made with chain key", refused.Message);
        Assert.Contains(otherKey.Id, refused.Message);
    }
}

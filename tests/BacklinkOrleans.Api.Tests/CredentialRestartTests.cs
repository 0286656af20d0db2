using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Api.Tests;

/// <summary>Secrets survive a restart with the same master key, and a wrong master key is named, not guessed.</summary>
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

        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using (var wrong = new RestartableApiFactory(folder, otherKey))
        {
            await ((IAsyncLifetime)wrong).InitializeAsync();
            var directory = wrong.Services.GetRequiredService<ICredentialDirectory>();
            var failure = await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(
                () => directory.RevealAsync(TenantId.From(tenant), credential, CancellationToken.None));
            Assert.Contains("master key", failure.ToString());
        }
    }
}

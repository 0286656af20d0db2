using System.Security.Cryptography;
using BacklinkOrleans.Accounts;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Hosting;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Storage.EventStore;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// <c>rotate-master-key --new-key-file PATH</c>, with every Host of the deployment stopped (ADR 0023): migrates and
/// checks the log under the current key, then in one transaction encrypts the credential key ring again under the
/// new key and rehashes the event log's chains under the new chain key. A missing file is created with a new random
/// key (owner-only). On the embedded default (the key in <c>data/master.key</c>) the file is replaced by the new key;
/// otherwise the operator configures the new key on every Host. Exit 0 when rotated.
/// </summary>
internal static class RotateVerb
{
    public const string NewKeyFileOption = "--new-key-file";

    /// <summary>Takes <c>--new-key-file PATH</c> out of the arguments; throws when it is missing.</summary>
    public static string ParseNewKeyFile(ref string[] args)
    {
        var at = Array.IndexOf(args, NewKeyFileOption);
        if (at < 0 || at + 1 >= args.Length)
            throw new ArgumentException($"give the new master key's file: {NewKeyFileOption} PATH (created with a new random key when it does not exist)");
        var file = args[at + 1];
        args = [.. args[..at], .. args[(at + 2)..]];
        return Path.GetFullPath(file);
    }

    public static async Task<int> RunAsync(WebApplication app, string newKeyFile)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        await ActivatorUtilities.CreateInstance<MigrationHostedService>(app.Services).StartAsync(stopping); // the log is keyed with the current key
        if (!File.Exists(newKeyFile))
        {
            WriteOwnerOnly(newKeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            Console.WriteLine($"rotate-master-key: a new random key was written to {newKeyFile} (readable by its owner only)");
        }
        var newKey = (await File.ReadAllTextAsync(newKeyFile, stopping)).Trim();
        var store = app.Services.GetRequiredService<GroupCommitEventStore>();
        MasterKeyRotated rotated;
        try
        {
            rotated = await app.Services.RotateMasterKeyAsync(newKey, newKeyFile, store.RekeyAsync, stopping);
        }
        catch (Exception e) when (e is InvalidOperationException or CryptographicException or StartupCheckException)
        {
            await Console.Error.WriteLineAsync($"rotate-master-key: {e.Message}");
            return 1;
        }
        Console.WriteLine($"rotate-master-key: master key {rotated.OldKeyId} → {rotated.NewKeyId}; chain key {rotated.OldChainKeyId} → {rotated.NewChainKeyId}");
        Console.WriteLine($"  {rotated.KeyRingEntries} credential key-ring entries encrypted again, {rotated.EventsRehashed:N0} events verified and rehashed");

        var storage = app.Services.GetRequiredService<StorageSettings>();
        if (!storage.IsCluster && string.IsNullOrEmpty(app.Configuration["DataProtection:MasterKey"]) && string.IsNullOrEmpty(app.Configuration["DataProtection:MasterKeyFile"]))
        {
            var defaultFile = Path.Combine(Path.GetDirectoryName(storage.SqlitePath)!, "master.key");
            WriteOwnerOnly(defaultFile + ".new", newKey);
            File.Move(defaultFile + ".new", defaultFile, overwrite: true);
            Console.WriteLine($"  {defaultFile} now holds the new key; start the Host as usual");
        }
        else
            Console.WriteLine("  now set DataProtection:MasterKey (or DataProtection:MasterKeyFile) to the new key on every Host before starting them; "
                + "the old key opens nothing any more");
        return 0;
    }

    private static void WriteOwnerOnly(string path, string content)
    {
        using var writer = OwnerOnlyFile.Create(path, FileMode.CreateNew, System.Text.Encoding.ASCII);
        writer.Write(content);
    }
}

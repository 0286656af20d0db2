using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.Accounts.Protection;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;
using BacklinkOrleans.SharedKernel.ReadModels;
using BacklinkOrleans.SharedKernel.Tenancy;
using Microsoft.Extensions.Logging;

namespace BacklinkOrleans.Accounts.Credentials;

/// <summary>The outcome of adding a credential: the view, the errors by field, or why it conflicts with one that exists.</summary>
internal sealed record AddOutcome(CredentialView? Credential, IReadOnlyDictionary<string, string[]>? Errors, string? Conflict);

/// <summary>
/// Tenants' third-party credentials. Secrets are encrypted with the tenant's protector before they enter an event;
/// events, tables, logs and answers carry scope and fingerprints only. Every change of a tenant's credentials is an
/// append to the tenant's stream <c>credentials/{tenant}</c> at the version it was decided on, so changes are
/// single-writer: two adds of a key for one host, or a verification racing a removal, cannot both win. What a kind
/// needs (fields, verification) comes from the channel that registered it (<see cref="ICredentialKind"/>).
/// </summary>
internal sealed partial class CredentialDirectory(
    IEventStore store,
    EventTypeRegistry registry,
    IReadModelDatabase database,
    CredentialVault vault,
    IEnumerable<ICredentialKind> kinds,
    IEnumerable<ICredentialChangeListener> listeners,
    TimeProvider time,
    ILogger<CredentialDirectory> logger) : ICredentialDirectory
{
    /// <summary>How long a silo uses a tenant's credentials before reading them again (changes made here are seen at once).</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private const int MaxAttempts = 20;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> writers = new(StringComparer.Ordinal);
    private const string Columns = "credential_id, kind, scope, fingerprint, status, detail, verified_at, created_at, protected, label";
    private readonly Dictionary<string, ICredentialKind> byKind = kinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    private static string StreamOf(TenantId tenant) => $"credentials/{tenant.Value}";

    /// <summary>The kinds this build knows, for error messages.</summary>
    public IReadOnlyCollection<ICredentialKind> Kinds => byKind.Values;

    public async Task<AddOutcome> AddAsync(TenantId tenant, JsonElement request, CancellationToken cancellationToken)
    {
        if (request.ValueKind != JsonValueKind.Object)
            return Invalid(("body", "Send a JSON object with 'kind' and the kind's fields."));
        var kindName = request.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : null;
        if (kindName is null || !byKind.TryGetValue(kindName, out var kind))
            return Invalid(("kind", $"'kind' is one of {string.Join(", ", byKind.Keys.Order())}."));
        var label = request.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()?.Trim() : null;
        if (label?.Length > 200)
            return Invalid(("label", "The label is at most 200 characters."));
        var draft = kind.Read(request);
        if (!draft.IsValid)
            return new AddOutcome(null, draft.Errors, null);

        using var writing = await WriterAsync(tenant, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++, await Backoff(attempt, cancellationToken))
        {
            var rows = await CurrentRowsAsync(tenant, cancellationToken);
            if (kind.UniqueKeyOf(draft.Scope!) is { } unique
                && rows.All.FirstOrDefault(r => r.View.Kind == kind.Kind && kind.UniqueKeyOf(r.View.Scope) == unique) is { } taken)
                return new AddOutcome(null, null, $"A {kind.Kind} credential for this scope exists already ({taken.View.Id}, {taken.View.Fingerprint}); remove it first to replace it.");
            var id = Guid.CreateVersion7().ToString("N");
            var added = new CredentialAdded(Guid.CreateVersion7(), tenant.Value, id, kind.Kind, string.IsNullOrEmpty(label) ? $"{kind.Kind} credential" : label,
                draft.Scope!, draft.Fingerprint!, vault.Protect(tenant, draft.Secret!), time.GetUtcNow());
            if ((await store.AppendAsync(StreamOf(tenant), rows.Version, [registry.ToEventData(added)], cancellationToken)).Succeeded)
            {
                var view = new CredentialView(id, added.Kind, added.Label, added.Scope, added.Fingerprint, CredentialStatuses.Unverified, null, null, added.At);
                // The next add (a bulk of keys) checks against these rows without reading the tenant's credentials again.
                var stored = view with { CreatedAt = UnixTime.FromMicroseconds(UnixTime.ToMicroseconds(added.At)) }; // as a read gives it
                cache[tenant.Value] = (time.GetUtcNow(), Task.FromResult(rows.With(new Row(stored, added.ProtectedSecret))));
                await NotifyAsync(tenant, view);
                return new AddOutcome(view, null, null);
            }
        }
        throw new InvalidOperationException("The tenant's credentials kept changing; nothing was added. Try again.");
    }

    private static AddOutcome Invalid(params (string Field, string Message)[] errors) => new(null, CredentialDraft.Invalid(errors).Errors, null);

    public async Task<IReadOnlyList<CredentialView>> ListAsync(TenantId tenant, CancellationToken cancellationToken) =>
        (await RowsAsync(tenant, cancellationToken)).Views;

    public async Task<CredentialView?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken) =>
        (await RowsAsync(tenant, cancellationToken)).All.FirstOrDefault(r => r.View.Id == id)?.View;

    public async Task<string?> RevealAsync(TenantId tenant, string credentialId, CancellationToken cancellationToken) =>
        (await RowsAsync(tenant, cancellationToken)).All.FirstOrDefault(r => r.View.Id == credentialId) is { } row
            ? vault.Unprotect(tenant, row.Protected)
            : null;

    /// <summary>
    /// Verifies the credential with its kind (an IndexNow key file, a Google token, a vendor account). Null when there
    /// is no such credential (also when it was removed while being verified); throws for kinds that cannot be verified.
    /// </summary>
    public async Task<CredentialView?> VerifyAsync(TenantId tenant, string id, CancellationToken cancellationToken)
    {
        var (_, rows) = await ReadStreamHeadAndRowsAsync(tenant, cancellationToken, id);
        if (rows.FirstOrDefault(r => r.View.Id == id) is not { } row)
            return null;
        if (!byKind.TryGetValue(row.View.Kind, out var kind))
            throw new NotVerifiableException($"This build has no channel for {row.View.Kind} credentials, so they cannot be verified.");
        var check = await kind.VerifyAsync(row.View, vault.Unprotect(tenant, row.Protected), cancellationToken)
            ?? throw new NotVerifiableException($"{row.View.Kind} credentials cannot be verified.");
        if (!check.Definite)
            return row.View with { Detail = check.Detail }; // a timeout or a dropped connection proves nothing: the status stays
        var verified = new CredentialVerified(Guid.CreateVersion7(), id, check.Passed, check.Detail, time.GetUtcNow());
        // Recorded only if the credential is still the one checked: a removal (or a replacement) meanwhile wins.
        var recorded = await ChangeAsync(tenant, id, () => verified, cancellationToken, unless: null,
            stillThere: current => current.Fingerprint == row.View.Fingerprint);
        return recorded
            ? row.View with { Status = check.Passed ? CredentialStatuses.Verified : CredentialStatuses.Failed, Detail = check.Detail, VerifiedAt = verified.At }
            : null;
    }

    public async Task<bool> RemoveAsync(TenantId tenant, string id, CancellationToken cancellationToken) =>
        await ChangeAsync(tenant, id, () => new CredentialRemoved(Guid.CreateVersion7(), id, time.GetUtcNow()), cancellationToken);

    public async Task RefusePropertyAsync(TenantId tenant, string credentialId, string property, string reason, CancellationToken cancellationToken) =>
        await ChangeAsync(tenant, credentialId, () => new CredentialPropertyRefused(Guid.CreateVersion7(), credentialId, property, reason, time.GetUtcNow()),
            cancellationToken, unless: view => view.Scope.RefusedProperties?.GetValueOrDefault(property) == reason);

    public async Task<IReadOnlySet<string>> EnabledChannelsAsync(TenantId tenant, CancellationToken cancellationToken) =>
        (await RowsAsync(tenant, cancellationToken)).EnabledChannels;

    public async Task SetChannelEnabledAsync(TenantId tenant, string channel, bool enabled, string? acceptedPolicy, CancellationToken cancellationToken)
    {
        using var writing = await WriterAsync(tenant, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++, await Backoff(attempt, cancellationToken))
        {
            var (version, _) = await ReadStreamHeadAndRowsAsync(tenant, cancellationToken);
            var current = await database.ReadAsync((connection, ct) => ReadEnabledChannelsAsync(connection, tenant, ct), cancellationToken);
            if (current.Contains(channel) == enabled)
                return;
            IDomainEvent change = enabled
                ? new ChannelEnabled(Guid.CreateVersion7(), tenant.Value, channel, acceptedPolicy, time.GetUtcNow())
                : new ChannelDisabled(Guid.CreateVersion7(), tenant.Value, channel, time.GetUtcNow());
            if ((await store.AppendAsync(StreamOf(tenant), version, [registry.ToEventData(change)], cancellationToken)).Succeeded)
            {
                Forget(tenant);
                return;
            }
        }
        throw new InvalidOperationException("The tenant's settings kept changing; the change was not stored. Try again.");
    }

    /// <summary>Appends a change of an existing credential at the version it was decided on; false when there is no such credential.</summary>
    private async Task<bool> ChangeAsync(TenantId tenant, string id, Func<IDomainEvent> change, CancellationToken cancellationToken,
        Func<CredentialView, bool>? unless = null, Func<CredentialView, bool>? stillThere = null)
    {
        using var writing = await WriterAsync(tenant, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++, await Backoff(attempt, cancellationToken))
        {
            var (version, rows) = await ReadStreamHeadAndRowsAsync(tenant, cancellationToken, id);
            if (rows.FirstOrDefault(r => r.View.Id == id) is not { } row || stillThere?.Invoke(row.View) == false)
                return false;
            if (unless?.Invoke(row.View) == true)
                return true;
            if ((await store.AppendAsync(StreamOf(tenant), version, [registry.ToEventData(change())], cancellationToken)).Succeeded)
            {
                var (after, changed) = await ReadStreamHeadAndRowsAsync(tenant, cancellationToken, id);
                var now = changed.FirstOrDefault();
                Splice(tenant, version, after, id, now);
                await NotifyAsync(tenant, now?.View ?? row.View); // removed: as it was
                return true;
            }
        }
        throw new InvalidOperationException("The tenant's credentials kept changing; the change was not stored. Try again.");
    }

    /// <summary>Tells the listeners of a stored change; a listener's failure is logged, never the change's.</summary>
    private async Task NotifyAsync(TenantId tenant, CredentialView credential)
    {
        foreach (var listener in listeners)
        {
            try
            {
                await listener.CredentialChangedAsync(tenant, credential, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogListenerFailed(logger, e, credential.Id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credential {Credential} changed, but a listener could not be told; it learns at its next periodic read")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string credential);

    /// <summary>
    /// Changes of one tenant's credentials made through this silo take turns (the stream's expected version decides
    /// between silos); the returned handle releases the turn.
    /// </summary>
    private async Task<IDisposable> WriterAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        var gate = writers.GetOrAdd(tenant.Value, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Turn(gate);
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    /// <summary>After a conflict with another silo's change: a short random pause, so two writers do not collide again.</summary>
    private static Task Backoff(int attempt, CancellationToken cancellationToken) =>
        attempt == 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(attempt, 10))), cancellationToken);
}

internal sealed class NotVerifiableException(string message) : Exception(message);

using System.Reflection;
using BacklinkOrleans.Accounts;
using BacklinkOrleans.Backlinks;
using BacklinkOrleans.SharedKernel.Tenancy;
using BacklinkOrleans.Storage;
using BacklinkOrleans.Testing;
using NetArchTest.Rules;

namespace BacklinkOrleans.Api.Tests;

/// <summary>The dependency direction of design.md and ADR 0002, enforced.</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly SharedKernel = typeof(TenantId).Assembly;
    private static readonly Assembly Storage = typeof(StorageSettings).Assembly;
    private static readonly Assembly Backlinks = typeof(BacklinksModule).Assembly;
    private static readonly Assembly Accounts = typeof(AccountsModule).Assembly;
    private static readonly Assembly Sandbox = typeof(BacklinkOrleans.Sandbox.SandboxModule).Assembly;
    private static readonly Assembly Validation = typeof(BacklinkOrleans.Validation.ValidationModule).Assembly;
    private static readonly Assembly Submission = typeof(BacklinkOrleans.Submission.SubmissionModule).Assembly;
    private static readonly Assembly Reporting = typeof(BacklinkOrleans.Reporting.ReportingModule).Assembly;
    private static readonly Assembly[] Modules = [Backlinks, Accounts, Sandbox, Validation, Submission, Reporting];

    [Fact]
    public void SharedKernel_DependsOnNoModule_NorOnStorage() =>
        AssertNone(Types.InAssembly(SharedKernel).Should().NotHaveDependencyOnAny(
            "BacklinkOrleans.Backlinks", "BacklinkOrleans.Accounts", "BacklinkOrleans.Storage", "BacklinkOrleans.Host"));

    [Fact]
    public void Modules_DependOnNeitherStorageNorTheHost()
    {
        foreach (var module in Modules)
            AssertNone(Types.InAssembly(module).Should().NotHaveDependencyOnAny("BacklinkOrleans.Storage", "BacklinkOrleans.Host"));
    }

    [Fact]
    public void Backlinks_DependsOnNoOtherModule() =>
        AssertNone(Types.InAssembly(Backlinks).Should().NotHaveDependencyOnAny(
            "BacklinkOrleans.Accounts", "BacklinkOrleans.Validation", "BacklinkOrleans.Submission", "BacklinkOrleans.Sandbox"));

    [Fact]
    public void Validation_AndSubmission_DoNotDependOnEachOther()
    {
        AssertNone(Types.InAssembly(Validation).Should().NotHaveDependencyOn("BacklinkOrleans.Submission"));
        AssertNone(Types.InAssembly(Submission).Should().NotHaveDependencyOn("BacklinkOrleans.Validation"));
    }

    [Fact]
    public void Sandbox_DependsOnNothingButTheSharedKernel() =>
        AssertNone(Types.InAssembly(Sandbox).Should().NotHaveDependencyOnAny(
            "BacklinkOrleans.Backlinks", "BacklinkOrleans.Accounts", "BacklinkOrleans.Validation", "BacklinkOrleans.Submission"));

    [Fact]
    public void Modules_UseEachOthersContractsOnly()
    {
        foreach (var module in Modules)
        {
            // NetArchTest matches by prefix, so list the other modules' non-contract types by full name.
            var foreign = Modules.Where(m => m != module).SelectMany(m => m.GetTypes())
                .Where(t => t.FullName is { } name && !name.Contains(".Contracts.", StringComparison.Ordinal)
                    && !name.StartsWith("OrleansCodeGen", StringComparison.Ordinal) && !name.Contains('<') && !name.Contains('+'))
                .Select(t => t.FullName!).ToArray();
            AssertNone(Types.InAssembly(module).Should().NotHaveDependencyOnAny(foreign));
        }
    }

    [Fact]
    public void Reporting_ReadsOnlyTheLog_AndTheBacklinksContracts() =>
        AssertNone(Types.InAssembly(Reporting).Should().NotHaveDependencyOnAny(
            "BacklinkOrleans.Accounts", "BacklinkOrleans.Validation", "BacklinkOrleans.Submission", "BacklinkOrleans.Sandbox"));

    [Fact]
    public void Accounts_DoesNotDependOnBacklinks() =>
        AssertNone(Types.InAssembly(Accounts).Should().NotHaveDependencyOn("BacklinkOrleans.Backlinks"));

    [Fact]
    public void AModulesPublicSurface_IsItsContracts_AndItsRegistration()
    {
        foreach (var module in Modules)
        {
            var name = module.GetName().Name!;
            var leaks = module.GetExportedTypes()
                .Where(t => t.Namespace != $"{name}.Contracts" && t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true
                    && !t.Name.EndsWith("Module", StringComparison.Ordinal) && !t.Name.EndsWith("Options", StringComparison.Ordinal)
                    && !t.FullName!.StartsWith("BacklinkOrleans.Sandbox.Sandbox", StringComparison.Ordinal)) // the Sandbox's server and host are its product surface
                .Select(t => t.FullName).ToList();
            Assert.True(leaks.Count == 0, $"{name} exposes non-contract types: {string.Join(", ", leaks)}");
        }
    }

    [Fact]
    public void GrainsAreInternalAndSealed()
    {
        foreach (var module in Modules)
        {
            var grains = module.GetTypes().Where(t => typeof(Orleans.Grain).IsAssignableFrom(t) && !t.IsAbstract).ToList();
            Assert.All(grains, g => Assert.True(g.IsNotPublic && g.IsSealed, $"{g.FullName} should be internal sealed"));
        }
    }

    /// <summary>
    /// A channel lives in its own folder of the Submission module (namespace = folder) and one registration line in
    /// <c>SubmissionModule</c>: nothing else in the module, and no other channel, knows its types. Generic lane code
    /// serves every channel through <c>IChannel</c> and <c>ICredentialKind</c>.
    /// </summary>
    [Fact]
    public void EachChannel_LivesInItsOwnFolder_AndIsKnownOnlyByItsRegistration()
    {
        var channels = Submission.GetTypes()
            .Where(t => typeof(BacklinkOrleans.Submission.Channels.IChannel).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => t.Namespace!).Distinct().ToList();
        Assert.Contains("BacklinkOrleans.Submission.Google", channels);
        Assert.Contains("BacklinkOrleans.Submission.IndexNow", channels);
        foreach (var channel in channels)
        {
            var others = Types.InAssembly(Submission).That().DoNotResideInNamespace(channel)
                .And().DoNotHaveName(nameof(BacklinkOrleans.Submission.SubmissionModule))
                .And().DoNotResideInNamespaceStartingWith("OrleansCodeGen");
            AssertNone(others.Should().NotHaveDependencyOn(channel));
            var folder = Path.Combine(RepositoryLayout.Root, "src", "Modules", "Submission", "BacklinkOrleans.Submission", channel.Split('.')[^1]);
            var misplaced = Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "src", "Modules", "Submission", "BacklinkOrleans.Submission"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Where(f => File.ReadAllText(f).Contains($"namespace {channel};", StringComparison.Ordinal))
                .ToList();
            Assert.True(misplaced.Count == 0, $"{channel} has files outside {folder}: {string.Join(", ", misplaced)}");
        }
    }

    private static void AssertNone(ConditionList rule)
    {
        var result = rule.GetResult();
        Assert.True(result.IsSuccessful, "violations: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}

using System.Text.Json;
using BacklinkOrleans.Validation.Robots;

namespace BacklinkOrleans.Validation.Tests;

/// <summary>
/// The test vectors of google/robotstxt's robots_test.cc (every assertion of its ID_ tests), kept as data in
/// Vectors/robots_vectors.json and checked against our own parser.
/// </summary>
public sealed class GoogleRobotsVectorsTests
{
    private sealed record Vector(string Test, string Robots, string UserAgent, string Url, bool Allowed);

    private static readonly Vector[] Vectors = JsonSerializer.Deserialize<Vector[]>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "robots_vectors.json")),
        new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    public static TheoryData<int> Indexes() => [.. Enumerable.Range(0, Vectors.Length)];

    [Theory]
    [MemberData(nameof(Indexes))]
    public void MatchesTheReference(int index)
    {
        var v = Vectors[index];
        var verdict = RobotsTxt.Parse(System.Text.Encoding.UTF8.GetBytes(v.Robots)).Check(v.UserAgent, v.Url);
        Assert.True(v.Allowed == verdict.Allowed,
            $"{v.Test} #{index}: {v.UserAgent} {v.Url} should be {(v.Allowed ? "allowed" : "disallowed")} by:\n{v.Robots}\n(decided by {verdict.Evidence})");
    }

    [Fact]
    public void AllVectorsAreLoaded() => Assert.Equal(72, Vectors.Length);
}

/// <summary>The ID_ vectors of robots_test.cc that check something besides allow/disallow.</summary>
public sealed class GoogleRobotsOtherVectorsTests
{
    private sealed record OtherVector(string Test, string Function, string? Input, JsonElement Expected, string? InputHex);

    private static readonly OtherVector[] Vectors = JsonSerializer.Deserialize<OtherVector[]>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "robots_other_vectors.json")),
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;

    public static TheoryData<int> Indexes() => [.. Enumerable.Range(0, Vectors.Length)];

    [Theory]
    [MemberData(nameof(Indexes))]
    public void MatchesTheReference(int index)
    {
        var v = Vectors[index];
        if (v.Function.EndsWith("IsValidUserAgentToObey", StringComparison.Ordinal))
        {
            Assert.Equal(v.Expected.GetBoolean(), RobotsTxt.IsValidUserAgentToObey(v.Input));
            return;
        }
        var bytes = v.InputHex is { } hex ? Convert.FromHexString(hex) : System.Text.Encoding.UTF8.GetBytes(v.Input!);
        var robots = RobotsTxt.Parse(bytes);
        object actual = v.Function.Split('.')[^1] switch
        {
            "valid_directives" => robots.Stats.ValidDirectives,
            "unknown_directives" => robots.Stats.UnknownDirectives,
            "last_line_seen" => robots.Stats.LastDirectiveLine,
            "sitemap" => robots.Sitemaps.Single(),
            var other => throw new InvalidOperationException($"no check for {other}"),
        };
        Assert.Equal(v.Expected.ValueKind == JsonValueKind.Number ? v.Expected.GetInt32() : v.Expected.GetString(), actual);
    }

    [Fact]
    public void AllVectorsAreLoaded() => Assert.Equal(32, Vectors.Length);
}

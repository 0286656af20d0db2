using System.Text;

namespace BacklinkOrleans.Validation.Robots;

/// <summary>The answer for one URL: allowed or not, and the rule that decided (none: nothing matched).</summary>
internal sealed record RobotsVerdict(bool Allowed, int? Line, string? Rule)
{
    public string Evidence => Line is null ? "no robots.txt rule matches" : $"robots.txt line {Line}: {Rule}";
}

/// <summary>
/// A parsed robots.txt (RFC 9309): groups of rules under user-agent lines; for a crawler, the group(s) naming it
/// most specifically apply, else the <c>*</c> group(s); among the matching rules the longest pattern wins and, on a
/// tie, Allow wins; <c>*</c> matches any sequence and a final <c>$</c> anchors the end. Parsing is forgiving (unknown
/// lines are skipped, common misspellings of the keys are accepted) and capped at 500 KiB.
/// For Googlebot, Google's own practice applies on top (its open-source parser, google/robotstxt, is the reference):
/// a line is cut at <see cref="GoogleMaxLineLength"/> characters before it is parsed, and <c>Allow: …/index.html</c>
/// (or <c>.htm</c>) also allows the directory itself (<c>…/$</c>). Other crawlers get RFC 9309 as written.
/// </summary>
internal sealed partial class RobotsTxt
{
    public const int MaxBytes = 500 * 1024;

    /// <summary>google/robotstxt's kMaxLineLen (2083 × 8) less its terminator: what is kept of a longer line.</summary>
    public const int GoogleMaxLineLength = (2083 * 8) - 1;

    private readonly List<Group> groups;
    private readonly List<Group> googleGroups;

    private RobotsTxt(List<Group> groups, List<Group>? googleGroups = null) => (this.groups, this.googleGroups) = (groups, googleGroups ?? groups);

    /// <summary>Whether Google's practice applies to <paramref name="agentToken"/>: Googlebot and its variants (Googlebot-Image, …).</summary>
    public static bool IsGooglebot(string agentToken) => agentToken.StartsWith("Googlebot", StringComparison.OrdinalIgnoreCase);

    /// <summary>Counted while parsing: user-agent, allow, disallow and sitemap lines are valid directives, other keys unknown.</summary>
    public sealed record Statistics(int ValidDirectives, int UnknownDirectives, int LastDirectiveLine);

    public Statistics Stats { get; private init; } = new(0, 0, 0);

    public IReadOnlyList<string> Sitemaps { get; private init; } = [];

    /// <summary>A crawler name this parser can obey: non-empty, only letters, '-' and '_'.</summary>
    public static bool IsValidUserAgentToObey(string? userAgent) =>
        !string.IsNullOrEmpty(userAgent) && userAgent.All(c => char.IsAsciiLetter(c) || c is '-' or '_');

    public static RobotsTxt AllowAll { get; } = new([]);

    /// <summary>For 5xx or unreachable robots.txt: everything disallowed until it can be read (RFC 9309, 2.3.1.4).</summary>
    public static RobotsTxt DisallowAll { get; } = new([new Group(["*"]) { Rules = { new Rule(false, "/", 0, "(robots.txt unreachable)") } }]);

    private sealed class Group(List<string> agents)
    {
        public List<string> Agents { get; } = agents;
        public List<Rule> Rules { get; } = [];
    }

    private sealed record Rule(bool Allow, string Pattern, int Line, string Text);

    public static RobotsTxt Parse(ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxBytes)
            content = content[..MaxBytes];
        // A UTF-8 byte order mark, or any leading part of one, is skipped at the start of the file only.
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        var skip = 0;
        while (skip < bom.Length && skip < content.Length && content[skip] == bom[skip])
            skip++;
        content = content[skip..];
        return Parse(Encoding.UTF8.GetString(content));
    }

    public static RobotsTxt Parse(string text)
    {
        var (groups, stats, sitemaps) = Build(text, google: false);
        // Google's reading differs only with an index page allowed or a line over its limit: else both read the same.
        var googleGroups = text.Contains("/index.htm", StringComparison.Ordinal) || HasLineLongerThan(text, GoogleMaxLineLength)
            ? Build(text, google: true).Groups
            : groups;
        return new RobotsTxt(groups, googleGroups) { Stats = stats, Sitemaps = sitemaps };
    }

    private static (List<Group> Groups, Statistics Stats, List<string> Sitemaps) Build(string text, bool google)
    {
        var groups = new List<Group>();
        var sitemaps = new List<string>();
        int valid = 0, unknown = 0, lastDirective = 0;
        Group? current = null;
        var lastWasAgent = false;
        var lineNumber = 0;
        foreach (var whole in Lines(text))
        {
            lineNumber++;
            var raw = google && whole.Length > GoogleMaxLineLength ? whole[..GoogleMaxLineLength] : whole;
            var line = raw;
            var comment = line.IndexOf('#');
            if (comment >= 0)
                line = line[..comment];
            line = line.Trim();
            if (line.Length == 0)
                continue;
            if (!TrySplit(line, out var key, out var value))
                continue;
            lastDirective = lineNumber;
            if (Classify(key) == Key.Other)
                unknown++;
            else
                valid++;
            if (Classify(key) == Key.Sitemap && value.Length > 0)
                sitemaps.Add(value);
            switch (Classify(key))
            {
                case Key.UserAgent:
                    if (current is null || !lastWasAgent)
                    {
                        current = new Group([]);
                        groups.Add(current);
                    }
                    current.Agents.Add(AgentToken(value));
                    lastWasAgent = true;
                    break;
                case Key.Allow or Key.Disallow when current is not null:
                    lastWasAgent = false;
                    if (value.Length > 0)
                        current.Rules.Add(new Rule(Classify(key) == Key.Allow, NormalizePattern(value), lineNumber, raw.Trim()));
                    if (google && Classify(key) == Key.Allow && IndexPageDirectory(value) is { } directory)
                        current.Rules.Add(new Rule(true, NormalizePattern(directory), lineNumber, raw.Trim() + " (so also its directory)"));
                    break;
                default:
                    // sitemap, crawl-delay, unknown keys, rules before any group: no effect on grouping (RFC 9309, 2.2.4)
                    break;
            }
        }
        return (groups, new Statistics(valid, unknown, lastDirective), sitemaps);
    }

    /// <summary>Google: <c>Allow: /dir/index.htm…</c> also allows <c>/dir/$</c>, the directory itself; null for other patterns.</summary>
    private static string? IndexPageDirectory(string pattern)
    {
        var slash = pattern.LastIndexOf('/');
        return slash >= 0 && pattern.AsSpan(slash).StartsWith("/index.htm", StringComparison.Ordinal) ? pattern[..(slash + 1)] + "$" : null;
    }

    /// <summary>Whether <paramref name="userAgent"/> may fetch <paramref name="url"/> (absolute, or a path with query).</summary>
    public RobotsVerdict Check(string userAgent, string url)
    {
        var path = PathParamsQuery(url);
        var agent = AgentToken(userAgent);
        var groups = IsGooglebot(agent) ? googleGroups : this.groups;
        var specific = groups.Where(g => g.Agents.Any(a => a != "*" && string.Equals(a, agent, StringComparison.OrdinalIgnoreCase))).ToList();
        var applicable = specific.Count > 0 ? specific : groups.Where(g => g.Agents.Contains("*")).ToList();

        Rule? best = null;
        var bestLength = -1;
        foreach (var rule in applicable.SelectMany(g => g.Rules))
        {
            var length = MatchLength(rule.Pattern, path);
            if (length < 0)
                continue;
            if (length > bestLength || (length == bestLength && rule.Allow && best is { Allow: false }))
            {
                best = rule;
                bestLength = length;
            }
        }
        return best is null ? new RobotsVerdict(true, null, null) : new RobotsVerdict(best.Allow, best.Line == 0 ? null : best.Line, best.Text);
    }

    private enum Key { UserAgent, Allow, Disallow, Sitemap, Other }

    private static Key Classify(string key) => key.ToLowerInvariant() switch
    {
        "user-agent" or "useragent" or "user agent" => Key.UserAgent,
        "allow" => Key.Allow,
        "disallow" or "dissallow" or "dissalow" or "disalow" or "diasllow" or "disallaw" => Key.Disallow,
        "sitemap" or "site-map" => Key.Sitemap,
        _ => Key.Other,
    };

    private static bool TrySplit(string line, out string key, out string value)
    {
        var colon = line.IndexOf(':');
        if (colon > 0)
        {
            key = line[..colon].Trim();
            value = line[(colon + 1)..].Trim();
            return true;
        }
        // Google accepts a missing colon when key and value are separated by white space.
        var space = line.IndexOfAny([' ', '\t']);
        if (space > 0 && line[(space + 1)..].Trim() is { Length: > 0 } rest && !rest.Contains(' '))
        {
            key = line[..space];
            value = rest;
            return true;
        }
        key = value = "";
        return false;
    }

    private static bool HasLineLongerThan(string text, int length)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = c is '\n' or '\r' ? 0 : run + 1;
            if (run > length)
                return true;
        }
        return false;
    }

    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r')
            {
                yield return text[start..i];
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                start = i + 1;
            }
        }
        if (start < text.Length)
            yield return text[start..];
    }
}

namespace BacklinkOrleans.Host.Hosting;

internal static class Logging
{
    /// <summary>Console logging: "simple" (one line, UTC timestamps) or "json" (structured, for log shippers).</summary>
    public static WebApplicationBuilder AddBacklinkLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
            builder.Logging.AddJsonConsole(o => (o.UseUtcTimestamp, o.TimestampFormat) = (true, "O"));
        else
            builder.Logging.AddSimpleConsole(o => (o.SingleLine, o.UseUtcTimestamp, o.TimestampFormat) = (true, true, "HH:mm:ss "));
        return builder;
    }
}

using CrmBot.Crm.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CrmBot.Hosting;

/// <summary>
/// Exports the turn stages' spans and timings (<see cref="CrmBotTelemetry"/>) with OpenTelemetry, configured by the
/// standard OTEL_* settings (environment variables or any other configuration source). Off unless asked for:
/// OTEL_EXPORTER_OTLP_ENDPOINT turns on the OTLP exporter for traces and metrics; OTEL_TRACES_EXPORTER and
/// OTEL_METRICS_EXPORTER ("otlp", "console" or "none") choose per signal. Off, nothing is registered and nothing
/// listens, so the stages cost nothing.
/// </summary>
public static class Telemetry
{
    public const string DefaultServiceName = "crmbot";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var traces = ExporterFor(configuration, "OTEL_TRACES_EXPORTER");
        var metrics = ExporterFor(configuration, "OTEL_METRICS_EXPORTER");
        if (traces is null && metrics is null) return services;

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : DefaultServiceName));
        if (traces is not null)
        {
            otel.WithTracing(t =>
            {
                t.AddSource(CrmBotTelemetry.Name);
                if (traces == Console) t.AddConsoleExporter();
                else t.AddOtlpExporter();
            });
        }
        if (metrics is not null)
        {
            otel.WithMetrics(m =>
            {
                m.AddMeter(CrmBotTelemetry.Name);
                if (metrics == Console) m.AddConsoleExporter();
                else m.AddOtlpExporter();
            });
        }
        return services;
    }

    private const string Otlp = "otlp", Console = "console";

    /// <summary>The exporter a signal is sent to, or null for none.</summary>
    private static string? ExporterFor(IConfiguration configuration, string key)
    {
        var named = configuration[key]?.Trim().ToLowerInvariant();
        if (named is Otlp or Console) return named;
        if (named is { Length: > 0 }) return null;   // "none", or an exporter this service does not ship
        return string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ? null : Otlp;
    }
}

using System.Buffers.Binary;
using System.Text;
using CrmBot.Fakes.Telemetry;

namespace CrmBot.Load;

/// <summary>
/// The service's own stage timings (the crmbot.stage.duration histogram of src/CrmBot.Crm/Diagnostics), as any
/// operator's collector would get them: the service exports its metrics over OTLP/HTTP to a loopback receiver here
/// twice a second, and this keeps the latest cumulative count and sum of each stage. Only the few protobuf fields
/// needed are read; the rest of each export is skipped.
/// </summary>
internal sealed class StageTimings : IAsyncDisposable
{
    private const string Histogram = "crmbot.stage.duration";
    private readonly FakeOtlpReceiver _receiver;
    private readonly Dictionary<string, (ulong Count, double Sum)> _latest = [];

    private StageTimings(FakeOtlpReceiver receiver)
    {
        _receiver = receiver;
        _receiver.KeepExports = false;
        _receiver.Received += OnExport;
    }

    public static async Task<StageTimings> StartAsync() => new(await FakeOtlpReceiver.StartAsync());

    /// <summary>The standard OTEL_* settings that make the service export its metrics here, and no traces.</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.BaseUrl,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_TRACES_EXPORTER"] = "none",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    /// <summary>
    /// How long after a moment the timings up to it have surely arrived (an export interval and some). Both snapshots
    /// are taken this long after the windows' start and end, so they span as long as the windows do, shifted by at
    /// most this: in a steady load the same turns, not in a start-up stall (--short's 2 s warm-up).
    /// </summary>
    public static readonly TimeSpan ExportLag = TimeSpan.FromSeconds(1);

    public Dictionary<string, (ulong Count, double Sum)> Snapshot()
    {
        lock (_latest) return new(_latest);
    }

    /// <summary>Each stage between two snapshots: count, mean ms, and ms per answered turn.</summary>
    public static string Describe(Dictionary<string, (ulong Count, double Sum)> before, Dictionary<string, (ulong Count, double Sum)> after, double turns)
    {
        var lines = new StringBuilder("  stages (the service's own timings, wall clock, over the measured windows):\n");
        foreach (var (stage, (count, sum)) in after.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var (count0, sum0) = before.GetValueOrDefault(stage);
            var n = count - count0;
            if (n == 0) continue;
            var ms = sum - sum0;
            lines.Append($"    {stage,-22} {n,9} × {ms / n,8:F3} ms = {(turns > 0 ? ms / turns : double.NaN),7:F3} ms per turn\n");
        }
        return lines.ToString().TrimEnd();
    }

    private void OnExport(string path, byte[] body)
    {
        if (path != "/v1/metrics") return;
        var points = new List<(string Stage, ulong Count, double Sum)>();
        for (var request = new Proto(body); request.Next();)
        {
            if (request.Field != 1) continue;   // resource_metrics
            for (var resource = new Proto(request.Bytes); resource.Next();)
            {
                if (resource.Field != 2) continue;   // scope_metrics
                for (var scope = new Proto(resource.Bytes); scope.Next();)
                    if (scope.Field == 2) ReadMetric(scope.Bytes, points);   // metrics
            }
        }
        lock (_latest)
            foreach (var (stage, count, sum) in points) _latest[stage] = (count, sum);
    }

    private static void ReadMetric(ReadOnlySpan<byte> metric, List<(string, ulong, double)> points)
    {
        string? name = null;
        var histogram = ReadOnlySpan<byte>.Empty;
        for (var m = new Proto(metric); m.Next();)
        {
            if (m.Field == 1) name = Encoding.UTF8.GetString(m.Bytes);
            else if (m.Field == 9) histogram = m.Bytes;
        }
        if (name != Histogram) return;
        for (var h = new Proto(histogram); h.Next();)
        {
            if (h.Field != 1) continue;   // data_points
            string? stage = null, part = null;
            ulong count = 0;
            double sum = 0;
            for (var p = new Proto(h.Bytes); p.Next();)
            {
                switch (p.Field)
                {
                    case 4: count = p.Value; break;
                    case 5: sum = BitConverter.UInt64BitsToDouble(p.Value); break;
                    case 9:
                        var (key, value) = Attribute(p.Bytes);
                        if (key == "crmbot.stage") stage = value;
                        else if (key == "crmbot.part") part = value;
                        break;
                }
            }
            if (stage is not null) points.Add((part is null ? stage : stage + " " + part, count, sum));
        }
    }

    private static (string? Key, string? Value) Attribute(ReadOnlySpan<byte> keyValue)
    {
        string? key = null, value = null;
        for (var kv = new Proto(keyValue); kv.Next();)
        {
            if (kv.Field == 1) key = Encoding.UTF8.GetString(kv.Bytes);
            else if (kv.Field == 2)
                for (var any = new Proto(kv.Bytes); any.Next();)
                    if (any.Field == 1) value = Encoding.UTF8.GetString(any.Bytes);
        }
        return (key, value);
    }

    public ValueTask DisposeAsync() => _receiver.DisposeAsync();

    /// <summary>The protobuf wire format, one field at a time.</summary>
    private ref struct Proto(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;
        public int Field { get; private set; }
        public ulong Value { get; private set; }
        public ReadOnlySpan<byte> Bytes { get; private set; }

        public bool Next()
        {
            if (_rest.IsEmpty) return false;
            var key = Varint();
            Field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: Value = Varint(); break;
                case 1: Value = BinaryPrimitives.ReadUInt64LittleEndian(_rest); _rest = _rest[8..]; break;
                case 2:
                    var length = (int)Varint();
                    Bytes = _rest[..length];
                    _rest = _rest[length..];
                    break;
                case 5: Value = BinaryPrimitives.ReadUInt32LittleEndian(_rest); _rest = _rest[4..]; break;
                default: throw new InvalidDataException($"Unexpected protobuf wire type {key & 7}.");
            }
            return true;
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _rest[0];
                _rest = _rest[1..];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }
    }
}

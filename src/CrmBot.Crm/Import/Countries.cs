using System.Globalization;
using CrmBot.Crm.Text;
using PhoneNumbers;

namespace CrmBot.Crm.Import;

/// <summary>
/// A country cell ("DE", "DEU", "Germany", "Deutschland", "United States", "USA", "UK") to its
/// ISO 3166 two-letter region code, as libphonenumber wants it. Names come from .NET's region
/// data (English and native names); a few everyday aliases are added by hand.
/// </summary>
public static class Countries
{
    private static readonly Lazy<Dictionary<string, string>> ByName = new(Build);

    /// <summary>The region code, or null when the text names no country we know.</summary>
    public static string? ToRegion(string? country)
    {
        var key = TextFold.Fold(country);
        return key.Length > 0 && ByName.Value.TryGetValue(key, out var region) ? region : null;
    }

    /// <summary>True when libphonenumber knows the region ("US", "de"); used for --default-region.</summary>
    public static bool IsPhoneRegion(string? region) =>
        !string.IsNullOrWhiteSpace(region) && PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(region.Trim().ToUpperInvariant());

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var region in PhoneNumberUtil.GetInstance().GetSupportedRegions())
            map[region.ToLowerInvariant()] = region;
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo info;
            try { info = new RegionInfo(culture.Name); }
            catch (ArgumentException) { continue; }
            var code = info.TwoLetterISORegionName;
            if (code.Length != 2 || !char.IsLetter(code[0])) continue;
            foreach (var name in new[] { info.ThreeLetterISORegionName, info.EnglishName, info.NativeName })
            {
                var key = TextFold.Fold(name);
                if (key.Length > 0) map.TryAdd(key, code);
            }
        }
        (string Alias, string Code)[] aliases =
        [
            ("usa", "US"), ("u s a", "US"), ("u s", "US"), ("united states of america", "US"), ("america", "US"),
            ("uk", "GB"), ("u k", "GB"), ("great britain", "GB"), ("britain", "GB"), ("england", "GB"), ("scotland", "GB"),
            ("wales", "GB"), ("northern ireland", "GB"), ("holland", "NL"), ("the netherlands", "NL"), ("czechia", "CZ"),
            ("south korea", "KR"), ("korea", "KR"), ("russia", "RU"), ("turkey", "TR"), ("turkiye", "TR"), ("uae", "AE"),
        ];
        foreach (var (alias, code) in aliases) map.TryAdd(alias, code);
        return map;
    }
}

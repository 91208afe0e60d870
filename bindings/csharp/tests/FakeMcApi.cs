using System;
using System.Text.RegularExpressions;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>The fake's API controls and counters (tests/fake-mc/README.md), for the authenticated-call tests.</summary>
    internal static class FakeMcApi
    {
        /// <summary>One counter of <c>GET /_stats/&lt;scenario&gt;</c>: token_requests, api_calls, soap_calls, rest_calls, accepted, rejected, token_expired.</summary>
        internal static int Stat(string scenario, string counter)
        {
            string json = FakeMc.Send("GET", "/_stats/" + scenario);
            Match match = Regex.Match(json, "\"" + counter + "\":(\\d+)");
            if (!match.Success)
            {
                throw new InvalidOperationException("no " + counter + " in " + json);
            }

            return int.Parse(match.Groups[1].Value);
        }

        /// <summary>Revokes every token the scenario has issued so far: the API answers them as expired.</summary>
        internal static void Revoke(string scenario)
        {
            FakeMc.Send("POST", "/_revoke/" + scenario);
        }

        /// <summary>The next <paramref name="calls"/> API calls with the scenario's valid token are refused as stale.</summary>
        internal static void Reject(string scenario, int calls)
        {
            FakeMc.Send("POST", "/_reject/" + scenario + "/" + calls);
        }
    }
}

using System;
using System.Net;
using System.Text.RegularExpressions;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// The fake Marketing Cloud started by tests/with-fake-mc.sh, found through its FAKE_MC_* variables.
    /// </summary>
    internal static class FakeMc
    {
        // The token cache is process-wide and the fake may outlive one run of the suite: every scenario
        // carries this run's id so no test ever sees another test's (or run's) token.
        private static readonly string RunId = Guid.NewGuid().ToString("N").Substring(0, 8);

        internal static string Http { get { return Env("FAKE_MC_HTTP"); } }

        internal static string Https { get { return Env("FAKE_MC_HTTPS"); } }

        internal static string Proxy { get { return Env("FAKE_MC_PROXY"); } }

        internal static string CaFile { get { return Env("FAKE_MC_CA"); } }

        /// <summary>A scenario path unique to this run, e.g. <c>cs-run1234-token</c>, plus optional directives.</summary>
        internal static string Scenario(string label, params string[] directives)
        {
            string scenario = "cs-" + RunId + "-" + label;
            foreach (string directive in directives)
            {
                scenario += "/" + directive;
            }

            return scenario;
        }

        /// <summary>
        /// A new instance on a new scenario (see <see cref="Scenario"/>), with the client id and secret of every test
        /// whose subject is not the credentials: the one setup of a test against the fake.
        /// </summary>
        internal static MarketingCloudAuth Auth(string label, out string scenario, params string[] directives)
        {
            scenario = Scenario(label, directives);
            return AuthOn(scenario);
        }

        /// <summary>
        /// Another instance on <paramref name="scenario"/>, with the same credentials: it shares the process-wide token
        /// cache with the first, as another client of the same tenant does.
        /// </summary>
        internal static MarketingCloudAuth AuthOn(string scenario)
        {
            return new MarketingCloudAuth(Url(scenario), "id", "secret");
        }

        /// <summary>The value to pass as <c>subdomain</c> so the token requests reach <paramref name="scenario"/>.</summary>
        internal static string Url(string scenario)
        {
            return Http + "/" + scenario + "/";
        }

        /// <summary>How many token requests (all attempts) reached the scenario.</summary>
        internal static int Count(string scenario)
        {
            return int.Parse(Send("GET", "/_count/" + scenario).Trim());
        }

        /// <summary>The fake's JSON description of the scenario's last token request.</summary>
        internal static string Last(string scenario)
        {
            return Send("GET", "/_last/" + scenario);
        }

        /// <summary>How many requests the fake's proxy has carried.</summary>
        internal static int ProxyRequests()
        {
            Match match = Regex.Match(Send("GET", "/_proxy"), "\"requests\"\\s*:\\s*(\\d+)");
            if (!match.Success)
            {
                throw new InvalidOperationException("unexpected /_proxy answer");
            }

            return int.Parse(match.Groups[1].Value);
        }

        /// <summary>
        /// The one client of the fake's own controls and counters (tests/fake-mc/README.md): <c>GET</c>, or
        /// <c>POST</c> with an empty body, of <paramref name="path"/> on its HTTP address; returns the answer's body.
        /// </summary>
        internal static string Send(string method, string path)
        {
            using (var client = new WebClient())
            {
                // Loopback only: never go through a proxy configured for the machine.
                client.Proxy = null;
                client.Encoding = System.Text.Encoding.UTF8;
                return method == "GET" ? client.DownloadString(Http + path) : client.UploadString(Http + path, method, string.Empty);
            }
        }

        private static string Env(string name)
        {
            string value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                throw new InvalidOperationException(name + " is not set: run the suite under tests/with-fake-mc.sh.");
            }

            return value.TrimEnd('/');
        }
    }
}

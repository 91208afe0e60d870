using System;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Strings out of every call, the per-thread token buffer, the loaded library, and the one success end to end.</summary>
    [TestFixture]
    public class CallTests
    {
        private const string Tenant = "mc563885gzs27c5t9-63k636ttgm";

        [Test]
        public void ASuccessEndToEnd()
        {
            using (var auth = FakeMc.Auth("success", out _))
            {
                string token = auth.GetToken();

                StringAssert.StartsWith("fake_", token);
                Assert.That(
                    auth.GetSoapHeader(),
                    Is.EqualTo("<h:fueloauth xmlns=\"http://exacttarget.com\" xmlns:h=\"http://exacttarget.com\">" + token + "</h:fueloauth>"));

                // Invalidate's argument crosses intact: another token is not the cached one, this one is,
                // and null is NULL (drop whatever is cached).
                auth.Invalidate("some-other-token");
                Assert.That(auth.GetToken(), Is.EqualTo(token));
                auth.Invalidate(token);
                string second = auth.GetToken();
                Assert.That(second, Is.Not.EqualTo(token));
                auth.Invalidate(null);
                Assert.That(auth.GetToken(), Is.Not.EqualTo(token).And.Not.EqualTo(second));
            }
        }

        [Test]
        public void CredentialsReachTheServerAsUtf8()
        {
            string scenario = FakeMc.Scenario("utf8");
            const string clientId = "clïent-ü-€-日本";
            const string secret = "sécret-€-日本";
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), clientId, secret))
            {
                auth.GetToken();

                string last = FakeMc.Last(scenario);
                StringAssert.Contains(clientId, last);
                StringAssert.Contains(secret, last);
            }
        }

        [Test]
        public void ATokenLongerThanTheThreadBufferComesBackWhole()
        {
            using (var auth = FakeMc.Auth("long", out _, "token-length=5000"))
            {
                string token = auth.GetToken();

                Assert.That(token.Length, Is.GreaterThan(5000));
                Assert.That(auth.GetToken(), Is.EqualTo(token));
                StringAssert.Contains(token, auth.GetSoapHeader());
            }
        }

        [Test]
        public void TheLargestTokenBufferIsTheHeadersMcTokenBufferSize()
        {
            // The one number the binding copies from the header (P/Invoke cannot read a #define).
            Match size = Regex.Match(
                Repository.Text("include/mcauth.h"), @"^#define MC_TOKEN_BUFFER_SIZE (\d+)$", RegexOptions.Multiline);
            Assert.That(size.Success, "no MC_TOKEN_BUFFER_SIZE in mcauth.h");
            int fromHeader = int.Parse(size.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(MarketingCloudAuth.MaxTokenBufferSize, Is.EqualTo(fromHeader));
        }

        [Test, Timeout(30000)]
        public void ConcurrentCallsEachGetTheirOwnToken()
        {
            // GetToken decodes from a per-thread buffer: two instances with different tokens, called from many
            // threads at once, must never see each other's.
            string scenario = FakeMc.Scenario("own-token");
            using (var a = new MarketingCloudAuth(FakeMc.Url(scenario), "id-a", "secret"))
            using (var b = new MarketingCloudAuth(FakeMc.Url(scenario + "/token-length=3000"), "id-b", "secret"))
            {
                string[] expected = { a.GetToken(), b.GetToken() };

                string[] verdicts = Race.OnThreads(8, i =>
                {
                    MarketingCloudAuth auth = i % 2 == 0 ? a : b;
                    for (int call = 0; call < 5000; call++)
                    {
                        if (auth.GetToken() != expected[i % 2])
                        {
                            return "thread " + i + " got another instance's token";
                        }
                    }

                    return "ok";
                });

                Assert.That(verdicts.Distinct(), Is.EqualTo(new[] { "ok" }));
            }
        }

        [Test]
        public void TenantEndpointsComeBackAsStrings()
        {
            using (var auth = new MarketingCloudAuth(Tenant, "id", "secret")) // creating sends nothing
            {
                Assert.That(auth.RestBaseUrl, Is.EqualTo("https://" + Tenant + ".rest.marketingcloudapis.com/"));
                Assert.That(auth.SoapEndpoint, Is.EqualTo("https://" + Tenant + ".soap.marketingcloudapis.com/Service.asmx"));
            }
        }

        [Test]
        public void TheLoadedLibraryIsThisCheckoutsCrate()
        {
            string cargoToml = Repository.Text("Cargo.toml");
            Match version = Regex.Match(cargoToml, "^version = \"([^\"]+)\"", RegexOptions.Multiline);

            Assert.That(version.Success, "no version in Cargo.toml");
            Assert.That(MarketingCloudAuth.LibraryVersion, Is.EqualTo(version.Groups[1].Value));
        }
    }
}

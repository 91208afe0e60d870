using System;
using System.Text.RegularExpressions;
using System.Threading;
using System.Xml;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class TokenTests
    {
        private const string SoapNamespace = "http://exacttarget.com";

        [Test]
        public void GetTokenFetchesOnceThenServesTheCache()
        {
            string scenario = FakeMc.Scenario("token");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "cs-id", "secret"))
            {
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(0), "creating an instance sends nothing");

                string first = auth.GetToken();
                string second = auth.GetToken();

                Assert.That(first, Is.Not.Null.And.Not.Empty);
                Assert.That(second, Is.EqualTo(first));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
                StringAssert.Contains("cs-id", FakeMc.Last(scenario));
            }
        }

        [Test]
        public void ATokenLongerThanTheThreadBufferComesBackWhole()
        {
            string scenario = FakeMc.Scenario("long", "token-length=5000");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string token = auth.GetToken();

                Assert.That(token.Length, Is.GreaterThan(5000));
                Assert.That(auth.GetToken(), Is.EqualTo(token));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void InstancesWithTheSameCredentialsShareOneToken()
        {
            string scenario = FakeMc.Scenario("shared");
            using (var a = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var b = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var other = new MarketingCloudAuth(FakeMc.Url(scenario), "other-id", "secret"))
            {
                Assert.That(b.GetToken(), Is.EqualTo(a.GetToken()));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));

                Assert.That(other.GetToken(), Is.Not.EqualTo(a.GetToken()), "another client id has its own token");
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(2));
            }
        }

        [Test]
        public void SoapHeaderIsTheFueloauthElementWithTheCachedToken()
        {
            string scenario = FakeMc.Scenario("soap");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string token = auth.GetToken();

                Assert.That(
                    auth.GetSoapHeader(),
                    Is.EqualTo("<h:fueloauth xmlns=\"http://exacttarget.com\" xmlns:h=\"http://exacttarget.com\">" + token + "</h:fueloauth>"));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void SoapHeaderEscapesTheToken()
        {
            string scenario = FakeMc.Scenario("soap-xml", "xml-token");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string token = auth.GetToken();
                Assert.That(token, Is.StringContaining("<").And.StringContaining("&"), "the scenario must produce XML-special characters");

                var document = new XmlDocument();
                document.LoadXml(auth.GetSoapHeader());

                Assert.That(document.DocumentElement.LocalName, Is.EqualTo("fueloauth"));
                Assert.That(document.DocumentElement.NamespaceURI, Is.EqualTo(SoapNamespace));
                Assert.That(document.DocumentElement.InnerText, Is.EqualTo(token));
            }
        }

        [Test]
        public void InvalidatingTheCachedTokenFetchesANewOne()
        {
            string scenario = FakeMc.Scenario("invalidate");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string rejected = auth.GetToken();
                auth.Invalidate(rejected);
                string fresh = auth.GetToken();

                Assert.That(fresh, Is.Not.EqualTo(rejected));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(2));

                // A token that is no longer the cached one is stale news: the newer token stays.
                auth.Invalidate(rejected);
                Assert.That(auth.GetToken(), Is.EqualTo(fresh));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(2));
            }
        }

        [Test]
        public void InvalidatingWithNullDropsTheTokenUnconditionally()
        {
            string scenario = FakeMc.Scenario("invalidate-null");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string first = auth.GetToken();
                auth.Invalidate(null);

                Assert.That(auth.GetToken(), Is.Not.EqualTo(first));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(2));
            }
        }

        [Test]
        public void NonAsciiCredentialsReachTheServerAsUtf8()
        {
            string scenario = FakeMc.Scenario("utf8");
            const string clientId = "clïent-ü-€-日本";
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), clientId, "sécret"))
            {
                auth.GetToken();

                StringAssert.Contains(clientId, FakeMc.Last(scenario));
            }
        }

        [Test]
        public void RefreshMarginOptionIsApplied()
        {
            // A 4 s token: the default 5-minute margin exceeds half its life, so the core refreshes it
            // half-way (after 2 s); a 1 s margin keeps it until 3 s. At 2.5 s only the default one is due.
            string scenario = FakeMc.Scenario("margin", "expires=4");
            var options = new MarketingCloudAuthOptions { RefreshMargin = TimeSpan.FromSeconds(1) };
            using (var standard = new MarketingCloudAuth(FakeMc.Url(scenario), "default-margin", "secret"))
            using (var patient = new MarketingCloudAuth(FakeMc.Url(scenario), "short-margin", "secret", options))
            {
                string standardFirst = standard.GetToken();
                string patientFirst = patient.GetToken();

                Thread.Sleep(2500);

                Assert.That(standard.GetToken(), Is.Not.EqualTo(standardFirst));
                Assert.That(patient.GetToken(), Is.EqualTo(patientFirst));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(3));
            }
        }

        [Test]
        public void ProxyOptionRoutesTheRequestThroughTheProxy()
        {
            string scenario = FakeMc.Scenario("proxy");
            int before = ProxiedRequests();
            var options = new MarketingCloudAuthOptions { Proxy = FakeMc.Proxy };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", options))
            {
                Assert.That(auth.GetToken(), Is.Not.Empty);

                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
                Assert.That(ProxiedRequests(), Is.GreaterThan(before));
            }
        }

        [Test]
        public void TenantEndpointsComeFromTheSubdomain()
        {
            using (var auth = new MarketingCloudAuth("mc563885gzs27c5t9-63k636ttgm", "id", "secret"))
            {
                Assert.That(auth.RestBaseUrl, Is.EqualTo("https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/"));
                Assert.That(auth.SoapEndpoint, Is.EqualTo("https://mc563885gzs27c5t9-63k636ttgm.soap.marketingcloudapis.com/Service.asmx"));
            }
        }

        [Test]
        public void TenantEndpointsAreUnavailableForAPlainUrl()
        {
            // Not a loopback URL: for those (the fake) the native library now gives the fake's API.
            using (var auth = new MarketingCloudAuth("https://auth.example.test/v1/requestToken", "id", "secret"))
            {
                var rest = Assert.Throws<InvalidOperationException>(() => { string unused = auth.RestBaseUrl; });
                Assert.That(rest.Message, Is.Not.Empty);
                Assert.Throws<InvalidOperationException>(() => { string unused = auth.SoapEndpoint; });
            }
        }

        [Test]
        public void LibraryVersionIsTheCrateVersion()
        {
            Assert.That(MarketingCloudAuth.LibraryVersion, Is.StringMatching(@"^\d+\.\d+\.\d+"));
        }

        private static int ProxiedRequests()
        {
            Match match = Regex.Match(FakeMc.ProxyStats(), "\"requests\"\\s*:\\s*(\\d+)");
            Assert.That(match.Success, "unexpected /_proxy answer");
            return int.Parse(match.Groups[1].Value);
        }
    }
}

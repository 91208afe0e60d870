using System;
using System.Linq;
using System.Web.Services.Protocols;
using MarketingCloud.Auth.Asmx;
using NUnit.Framework;
using PartnerApi.Asmx;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Against PartnerAPI, which run-tests.sh generates with Mono's wsdl from the fake's WSDL.</summary>
    [TestFixture]
    public class AsmxTests
    {
        [Test]
        public void CreateGivesTheGeneratedProxyPointedAtTheTenant()
        {
            using (var auth = new MarketingCloudAuth(FakeMc.Url(FakeMc.Scenario("asmx-create")), "id", "secret"))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);

                Assert.That(proxy.Url, Is.EqualTo(auth.SoapEndpoint));
                Assert.That(proxy, Is.InstanceOf<PartnerAPI>());
            }
        }

        [Test]
        public void SixteenConcurrentCallsThroughARevokedTokenAllSucceedWithOneNewToken()
        {
            string scenario = FakeMc.Scenario("asmx-revoked");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);
                Assert.That(proxy.Invoke(p => Retrieve(p)).Length, Is.EqualTo(2));
                FakeMcApi.Revoke(scenario);

                // Threads, not pool tasks: 16 blocking calls would wait for the pool to grow.
                string[] created = Race.OnThreads(16, i => Keys(proxy.Invoke(p => Create(p, i))));

                for (int i = 0; i < 16; i++)
                {
                    Assert.That(created[i], Is.EqualTo(ExpectedKeys(i)), "the whole body arrived on the retry");
                }

                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the first token and exactly one new one");
                Assert.That(FakeMcApi.Stat(scenario, "token_expired"), Is.GreaterThanOrEqualTo(1));
            }
        }

        [Test]
        public void ARejectedCallInvalidatesExactlyTheTokenItSent()
        {
            string scenario = FakeMc.Scenario("asmx-exact");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var other = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);
                string sent = auth.GetToken();
                FakeMcApi.Revoke(scenario);
                int attempts = 0;

                CreateResult[] created = proxy.Invoke(p =>
                {
                    if (attempts++ > 0)
                    {
                        return Create(p, 1);
                    }

                    try
                    {
                        return Create(p, 1);
                    }
                    finally
                    {
                        // While the rejection travels back, someone else has already replaced the token.
                        other.Invalidate(sent);
                        other.GetToken();
                    }
                });

                Assert.That(Keys(created), Is.EqualTo(ExpectedKeys(1)));
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the newer token was kept");
            }
        }

        [Test]
        public void TheTokenInvalidatedIsTheOneSentNotTheOneCachedWhenInvokeStarted()
        {
            string scenario = FakeMc.Scenario("asmx-sent");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var other = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);
                string before = auth.GetToken();
                int attempts = 0;

                CreateResult[] created = proxy.Invoke(p =>
                {
                    if (attempts++ == 0)
                    {
                        // After Invoke started, before the call: a new token, which the service then refuses once.
                        other.Invalidate(before);
                        other.GetToken();
                        FakeMcApi.Reject(scenario, 1);
                    }

                    return Create(p, 1);
                });

                Assert.That(Keys(created), Is.EqualTo(ExpectedKeys(1)));
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(3), "the refused token was dropped, not the older one");
            }
        }

        [Test]
        public void ASecondRejectionInARowReachesTheCaller()
        {
            string scenario = FakeMc.Scenario("asmx-twice");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);
                auth.GetToken();
                FakeMcApi.Reject(scenario, 2);

                SoapException fault = Assert.Throws<SoapHeaderException>(() => proxy.Invoke(p => Create(p, 0)));

                StringAssert.Contains("Token Expired", fault.Message);
                Assert.That(FakeMcApi.Stat(scenario, "soap_calls"), Is.EqualTo(2), "one retry, no loop");
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2));
            }
        }

        [Test]
        public void EveryCallCarriesTheHeaderEvenOutsideInvokeAndWithMarkupInTheToken()
        {
            string scenario = FakeMc.Scenario("asmx-xml", "xml-token");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);

                Assert.That(Retrieve(proxy).Length, Is.EqualTo(2));
                Assert.That(FakeMcApi.Stat(scenario, "accepted"), Is.EqualTo(1), "the fake read the escaped token back whole");
            }
        }

        private static APIObject[] Retrieve(PartnerAPI proxy)
        {
            string requestId;
            APIObject[] results;
            proxy.Retrieve(new RetrieveRequest { ObjectType = "Subscriber", Properties = new[] { "Name" } }, out requestId, out results);
            return results;
        }

        private static CreateResult[] Create(PartnerAPI proxy, int call)
        {
            APIObject[] objects = Enumerable.Range(0, 3).Select(n => new APIObject { CustomerKey = "k" + call + "-" + n, Name = "call " + call }).ToArray();
            string requestId;
            string overallStatus;
            return proxy.Create(objects, out requestId, out overallStatus);
        }

        private static string Keys(CreateResult[] created)
        {
            return string.Join(",", created.Select(r => r.Object.CustomerKey));
        }

        private static string ExpectedKeys(int call)
        {
            return "k" + call + "-0,k" + call + "-1,k" + call + "-2";
        }
    }
}

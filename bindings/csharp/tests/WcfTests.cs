using System;
using System.Linq;
using System.ServiceModel;
using System.Threading.Tasks;
using MarketingCloud.Auth.Wcf;
using NUnit.Framework;
using PartnerApi.Wcf;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class WcfTests
    {
        [Test]
        public void SixteenConcurrentCallsThroughARevokedTokenAllSucceedWithOneNewToken()
        {
            string scenario = FakeMc.Scenario("wcf-revoked");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                var fuelOAuth = new FuelOAuthBehavior(auth);
                ChannelFactory<ISoap> factory = Factory(auth, fuelOAuth);
                try
                {
                    ISoap channel = factory.CreateChannel();
                    Assert.That(fuelOAuth.Invoke(() => channel.Retrieve(RetrieveSubscribers())).Results.Length, Is.EqualTo(2));
                    FakeMcApi.Revoke(scenario);

                    // Mono's WCF runs concurrent synchronous calls on one channel (not concurrent async ones).
                    // Threads, not pool tasks: 16 blocking calls would wait for the pool to grow.
                    string[] created = Race.OnThreads(
                        16, i => string.Join(",", fuelOAuth.Invoke(() => channel.Create(ThreeObjects(i))).Results.Select(r => r.Object.CustomerKey)));

                    for (int i = 0; i < 16; i++)
                    {
                        Assert.That(created[i], Is.EqualTo("k" + i + "-0,k" + i + "-1,k" + i + "-2"), "the whole body arrived on the retry");
                    }

                    Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the first token and exactly one new one");
                    Assert.That(FakeMcApi.Stat(scenario, "token_expired"), Is.GreaterThanOrEqualTo(1));
                }
                finally
                {
                    factory.Abort();
                }
            }
        }

        [Test]
        public void ARejectedCallInvalidatesExactlyTheTokenItSent()
        {
            string scenario = FakeMc.Scenario("wcf-exact");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var other = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                var fuelOAuth = new FuelOAuthBehavior(auth);
                ChannelFactory<ISoap> factory = Factory(auth, fuelOAuth);
                try
                {
                    ISoap channel = factory.CreateChannel();
                    string sent = auth.GetToken();
                    FakeMcApi.Revoke(scenario);
                    int attempts = 0;

                    CreateResponse created = fuelOAuth.Invoke(() =>
                    {
                        if (attempts++ > 0)
                        {
                            return channel.Create(ThreeObjects(1));
                        }

                        try
                        {
                            return channel.Create(ThreeObjects(1));
                        }
                        finally
                        {
                            // While the rejection travels back, someone else has already replaced the token.
                            other.Invalidate(sent);
                            other.GetToken();
                        }
                    });

                    AssertThreeCreated(created, 1);
                    Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the newer token was kept");
                }
                finally
                {
                    factory.Abort();
                }
            }
        }

        [Test]
        public void TheTokenInvalidatedIsTheOneSentNotTheOneCachedWhenInvokeStarted()
        {
            string scenario = FakeMc.Scenario("wcf-sent");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var other = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                var fuelOAuth = new FuelOAuthBehavior(auth);
                ChannelFactory<ISoap> factory = Factory(auth, fuelOAuth);
                try
                {
                    ISoap channel = factory.CreateChannel();
                    string before = auth.GetToken();
                    int attempts = 0;

                    CreateResponse created = fuelOAuth.Invoke(() =>
                    {
                        if (attempts++ == 0)
                        {
                            // After Invoke started, before the call: a new token, which the service then refuses once.
                            other.Invalidate(before);
                            other.GetToken();
                            FakeMcApi.Reject(scenario, 1);
                        }

                        return channel.Create(ThreeObjects(1));
                    });

                    AssertThreeCreated(created, 1);
                    Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(3), "the refused token was dropped, not the older one");
                }
                finally
                {
                    factory.Abort();
                }
            }
        }

        [Test]
        public void ASecondRejectionInARowReachesTheCaller()
        {
            string scenario = FakeMc.Scenario("wcf-twice");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                var fuelOAuth = new FuelOAuthBehavior(auth);
                ChannelFactory<ISoap> factory = Factory(auth, fuelOAuth);
                try
                {
                    ISoap channel = factory.CreateChannel();
                    auth.GetToken();
                    FakeMcApi.Reject(scenario, 2);

                    FaultException fault = Assert.Throws<FaultException>(() => fuelOAuth.Invoke(() => channel.Create(ThreeObjects(0))));

                    StringAssert.Contains("Token Expired", fault.Message);
                    Assert.That(FakeMcApi.Stat(scenario, "soap_calls"), Is.EqualTo(2), "one retry, no loop");
                    Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2));
                }
                finally
                {
                    factory.Abort();
                }
            }
        }

        [Test]
        public void TheTaskOverloadRetriesABeginEndCall()
        {
            string scenario = FakeMc.Scenario("wcf-async");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                var fuelOAuth = new FuelOAuthBehavior(auth);
                ChannelFactory<ISoap> factory = Factory(auth, fuelOAuth);
                try
                {
                    ISoap channel = factory.CreateChannel();
                    auth.GetToken();
                    FakeMcApi.Revoke(scenario);

                    CreateResponse created = fuelOAuth.Invoke(
                        () => Task.Factory.FromAsync(channel.BeginCreate, channel.EndCreate, ThreeObjects(7), null)).Result;

                    AssertThreeCreated(created, 7);
                    Assert.That(FakeMcApi.Stat(scenario, "soap_calls"), Is.EqualTo(2));
                    Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2));
                }
                finally
                {
                    factory.Abort();
                }
            }
        }

        [Test]
        public void EveryMessageCarriesTheHeaderEvenOutsideInvokeAndWithMarkupInTheToken()
        {
            string scenario = FakeMc.Scenario("wcf-xml", "xml-token");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                ChannelFactory<ISoap> factory = Factory(auth, new FuelOAuthBehavior(auth));
                try
                {
                    ISoap channel = factory.CreateChannel();

                    Assert.That(channel.Retrieve(RetrieveSubscribers()).OverallStatus, Is.EqualTo("OK"));
                    Assert.That(FakeMcApi.Stat(scenario, "accepted"), Is.EqualTo(1), "the fake read the escaped token back whole");
                }
                finally
                {
                    factory.Abort();
                }
            }
        }

        private static ChannelFactory<ISoap> Factory(MarketingCloudAuth auth, FuelOAuthBehavior fuelOAuth)
        {
            var factory = new ChannelFactory<ISoap>(new BasicHttpBinding(), new EndpointAddress(auth.SoapEndpoint));
            factory.Endpoint.EndpointBehaviors.Add(fuelOAuth);
            return factory;
        }

        private static RetrieveRequestMsg RetrieveSubscribers()
        {
            return new RetrieveRequestMsg { RetrieveRequest = new RetrieveRequest { ObjectType = "Subscriber", Properties = new[] { "Name" } } };
        }

        private static CreateRequest ThreeObjects(int call)
        {
            return new CreateRequest
            {
                Objects = Enumerable.Range(0, 3).Select(n => new APIObject { CustomerKey = "k" + call + "-" + n, Name = "call " + call }).ToArray(),
            };
        }

        private static void AssertThreeCreated(CreateResponse created, int call)
        {
            Assert.That(created.Results.Length, Is.EqualTo(3), "the whole body arrived on the retry");
            for (int n = 0; n < 3; n++)
            {
                Assert.That(created.Results[n].Object.CustomerKey, Is.EqualTo("k" + call + "-" + n));
            }
        }
    }
}

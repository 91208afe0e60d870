using System;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// What each client of the binding promises on an API call, proved once per client (<see cref="Client"/>, made
    /// alike by <see cref="ClientDriver"/>): the call carries the token, and when the API rejects that token the call
    /// is sent once more with one new token, after invalidating exactly the token it sent. What only one client
    /// does is in its own fixture (AsmxTests, McAuthHandlerTests).
    /// </summary>
    [TestFixture]
    public class AuthenticatedCallTests
    {
        // The scenarios that hold for every client run for each; the others name theirs, and say why not the rest.
        private static Array EveryClient
        {
            get { return Enum.GetValues(typeof(Client)); }
        }

        [TestCaseSource(nameof(EveryClient))]
        public void ACallThroughARevokedTokenIsSentOnceMoreWithOneNewToken(Client client)
        {
            using (var auth = FakeMc.Auth(client + "-retried", out string scenario))
            using (ClientDriver driver = ClientDriver.Open(client, auth))
            {
                auth.GetToken();
                FakeMcApi.Revoke(scenario);

                Assert.That(driver.Call(7), Is.EqualTo(ClientDriver.Keys(7)), "the whole body arrived on the retry");
                Assert.That(FakeMcApi.Stat(scenario, driver.CallCounter), Is.EqualTo(2), "sent with the revoked token, then once more");
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the first token and exactly one new one");
            }
        }

        // Not the Task overload: Mono's WCF runs concurrent synchronous calls on one channel, not concurrent async ones.
        [TestCase(Client.Wcf)]
        [TestCase(Client.Asmx)]
        [TestCase(Client.HttpClient)]
        public void SixteenConcurrentCallsThroughARevokedTokenAllSucceedWithOneNewToken(Client client)
        {
            using (var auth = FakeMc.Auth(client + "-revoked", out string scenario))
            using (ClientDriver driver = ClientDriver.Open(client, auth))
            {
                Assert.That(driver.Call(0), Is.EqualTo(ClientDriver.Keys(0)));
                FakeMcApi.Revoke(scenario);

                // Threads, not pool tasks: 16 blocking calls would wait for the pool to grow.
                string[] keys = Race.OnThreads(16, driver.Call);

                for (int i = 0; i < 16; i++)
                {
                    Assert.That(keys[i], Is.EqualTo(ClientDriver.Keys(i)), "the whole body arrived on the retry");
                }

                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the first token and exactly one new one");
                Assert.That(FakeMcApi.Stat(scenario, "token_expired"), Is.GreaterThanOrEqualTo(1), "calls did go out with the revoked token");
            }
        }

        [TestCaseSource(nameof(EveryClient))]
        public void ARejectedCallInvalidatesExactlyTheTokenItSent(Client client)
        {
            using (var auth = FakeMc.Auth(client + "-exact", out string scenario))
            using (var other = FakeMc.AuthOn(scenario))
            {
                string sent = auth.GetToken();
                FakeMcApi.Revoke(scenario);

                // While the rejection travels back, someone else has already replaced the token.
                var first = new FirstAttempt
                {
                    AfterAnswer = () =>
                    {
                        other.Invalidate(sent);
                        other.GetToken();
                    },
                };
                using (ClientDriver driver = ClientDriver.Open(client, auth, first))
                {
                    Assert.That(driver.Call(1), Is.EqualTo(ClientDriver.Keys(1)));
                }

                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the newer token was kept");
            }
        }

        // The Invoke methods of the SOAP stacks, where the token can change between Invoke's start and the send. Not
        // McAuthHandler: it sends the token it has just read. Not the Task overload on Mono: a Begin/End call's
        // inspector runs without the caller's context, so Invoke cannot hear which token went out and invalidates
        // the one cached when it started (FuelOAuthBehavior's remarks).
        [TestCase(Client.Wcf)]
        [TestCase(Client.Asmx)]
        public void TheTokenInvalidatedIsTheOneSentNotTheOneCachedWhenInvokeStarted(Client client)
        {
            using (var auth = FakeMc.Auth(client + "-sent", out string scenario))
            using (var other = FakeMc.AuthOn(scenario))
            {
                string before = auth.GetToken();

                // After Invoke started, before the call: a new token, which the service then refuses once.
                var first = new FirstAttempt
                {
                    BeforeSend = () =>
                    {
                        other.Invalidate(before);
                        other.GetToken();
                        FakeMcApi.Reject(scenario, 1);
                    },
                };
                using (ClientDriver driver = ClientDriver.Open(client, auth, first))
                {
                    Assert.That(driver.Call(1), Is.EqualTo(ClientDriver.Keys(1)));
                }

                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(3), "the refused token was dropped, not the older one");
            }
        }

        [TestCaseSource(nameof(EveryClient))]
        public void ASecondRejectionInARowReachesTheCaller(Client client)
        {
            using (var auth = FakeMc.Auth(client + "-twice", out string scenario))
            using (ClientDriver driver = ClientDriver.Open(client, auth))
            {
                auth.GetToken();
                FakeMcApi.Reject(scenario, 2);

                driver.AssertTheRejectionReachesTheCaller();

                Assert.That(FakeMcApi.Stat(scenario, driver.CallCounter), Is.EqualTo(2), "one retry, no loop");
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2));
            }
        }

        // The SOAP stacks add the header to every message, in Invoke or not; McAuthHandler has no call outside it.
        [TestCase(Client.Wcf)]
        [TestCase(Client.Asmx)]
        public void EveryCallCarriesTheHeaderEvenOutsideInvokeAndWithMarkupInTheToken(Client client)
        {
            using (var auth = FakeMc.Auth(client + "-xml", out string scenario, "xml-token"))
            using (ClientDriver driver = ClientDriver.Open(client, auth))
            {
                Assert.That(driver.RetrieveOutsideInvoke(), Is.EqualTo(2));
                Assert.That(FakeMcApi.Stat(scenario, "accepted"), Is.EqualTo(1), "the fake read the escaped token back whole");
            }
        }
    }
}

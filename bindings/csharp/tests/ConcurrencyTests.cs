using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class ConcurrencyTests
    {
        [Test, Timeout(30000)]
        public void ThirtyTwoThreadsOnAColdCacheSendOneRequest()
        {
            // The delay keeps the first request in flight while the other threads arrive.
            string scenario = FakeMc.Scenario("cold-32", "delay=300");

            string[] tokens = Race.OnThreads(32, i =>
            {
                using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
                {
                    return auth.GetToken();
                }
            });

            Assert.That(tokens.Distinct().Count(), Is.EqualTo(1));
            Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
        }

        [Test, Timeout(30000)]
        public void SixteenThreadsInvalidatingTheSameStaleTokenSendOneNewRequest()
        {
            string scenario = FakeMc.Scenario("stale-16", "delay=100");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string stale = auth.GetToken();

                // Pairs of threads report the 401 at 30 ms steps: some while the new token is being
                // fetched (100 ms), some after it arrived, which must not throw it away again.
                string[] fresh = Race.OnThreads(16, i =>
                {
                    Thread.Sleep(i / 2 * 30);
                    auth.Invalidate(stale);
                    return auth.GetToken();
                });

                Assert.That(fresh.Distinct().Count(), Is.EqualTo(1));
                Assert.That(fresh[0], Is.Not.EqualTo(stale));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(2));
            }
        }
    }
}

using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class AsyncTokenTests
    {
        [Test]
        public void ACachedTokenCompletesSynchronously()
        {
            using (var auth = FakeMc.Auth("async-cached", out _))
            {
                string token = auth.GetToken();

                AssertServedInline(auth, token);
            }
        }

        [Test]
        public void HundredConcurrentAwaitsOnAColdCacheSendOneRequest()
        {
            using (var auth = FakeMc.Auth("async-cold", out string scenario))
            {
                Task<string>[] awaits = Enumerable.Range(0, 100).Select(_ => auth.GetTokenAsync()).ToArray();

                string[] tokens = Task.WhenAll(awaits).Result;

                Assert.That(tokens.Distinct().Count(), Is.EqualTo(1));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void ACancelledAwaitReturnsAtOnceAndTheFetchStillFillsTheCache()
        {
            using (var auth = FakeMc.Auth("async-cancel", out string scenario, "delay=2000"))
            using (var cancel = new CancellationTokenSource())
            {
                Task<string> waiting = auth.GetTokenAsync(cancel.Token);
                Thread.Sleep(50); // the fetch is under way, blocked on the fake's delay

                Stopwatch clock = Stopwatch.StartNew();
                cancel.Cancel();
                bool completed = ((IAsyncResult)waiting).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                clock.Stop();

                Assert.That(completed && waiting.IsCanceled, Is.True, "status " + waiting.Status);
                // At once, not after the 2 s fetch: typically a few ms (printed); the bound leaves room for
                // a loaded machine without letting a wait for the fetch pass.
                Console.WriteLine("cancelled await returned after {0} ms", clock.ElapsedMilliseconds);
                Assert.That(clock.ElapsedMilliseconds, Is.LessThan(500));

                // The request already sent still lands in the cache: joining it sends nothing more.
                auth.GetToken();
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void AnAlreadyCancelledAwaitSendsNothing()
        {
            using (var auth = FakeMc.Auth("async-precancelled", out string scenario))
            {
                Task<string> waiting = auth.GetTokenAsync(new CancellationToken(true));

                Assert.That(waiting.IsCanceled, Is.True);
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(0));
            }
        }

        [Test]
        public void TheCachedPathSeesAnotherInstancesInvalidate()
        {
            using (var a = FakeMc.Auth("async-invalidate", out string scenario))
            using (var b = FakeMc.AuthOn(scenario))
            {
                string first = a.GetTokenAsync().Result;

                b.Invalidate(first);

                Assert.That(a.GetTokenAsync().Result, Is.Not.EqualTo(first));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(2));
            }
        }

        [Test]
        public void AFailedFetchFaultsTheTask()
        {
            string scenario = FakeMc.Scenario("async-wrong");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "wrong-secret"))
            {
                AggregateException failure = Assert.Throws<AggregateException>(() => auth.GetTokenAsync(new CancellationTokenSource().Token).Wait());

                Assert.That(failure.InnerException, Is.TypeOf<McAuthException>());
                Assert.That(((McAuthException)failure.InnerException).Status, Is.EqualTo(McStatus.Unauthorized));
            }
        }

        [Test]
        public void ALongCachedTokenIsServedInlineToo()
        {
            using (var auth = FakeMc.Auth("async-long", out _, "token-length=5000"))
            {
                string token = auth.GetToken();

                AssertServedInline(auth, token);
            }
        }

        // Many times: a pool thread could, by luck, finish one cached fetch before the check.
        private static void AssertServedInline(MarketingCloudAuth auth, string token)
        {
            for (int i = 0; i < 1000; i++)
            {
                Task<string> cached = auth.GetTokenAsync();

                Assert.That(cached.IsCompleted, Is.True, "served inline, no thread (call " + i + ")");
                Assert.That(cached.Result, Is.EqualTo(token));
            }
        }
    }
}

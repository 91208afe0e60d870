using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class LifetimeTests
    {
        [Test]
        public void DisposingTwiceIsHarmless()
        {
            var auth = FakeMc.Auth("dispose-twice", out _);

            auth.Dispose();
            Assert.DoesNotThrow(auth.Dispose);
        }

        [Test]
        public void EveryCallAfterDisposeThrowsObjectDisposed()
        {
            var auth = new MarketingCloudAuth("mc563885gzs27c5t9-63k636ttgm", "id", "secret");
            auth.Dispose();

            Assert.Throws<ObjectDisposedException>(() => auth.GetToken());
            Assert.Throws<ObjectDisposedException>(() => auth.GetSoapHeader());
            Assert.Throws<ObjectDisposedException>(() => auth.Invalidate(null));
            Assert.Throws<ObjectDisposedException>(() => { string unused = auth.RestBaseUrl; });
            Assert.Throws<ObjectDisposedException>(() => { string unused = auth.SoapEndpoint; });
            Assert.That(auth.ToString(), Is.StringContaining("mc563885gzs27c5t9-63k636ttgm"));
        }

        [Test, Timeout(30000)]
        public void DisposeDuringConcurrentCallsNeverCrashes()
        {
            var auth = FakeMc.Auth("dispose-race", out _);
            auth.GetToken();
            int disposedSeen = 0;

            Race.OnThreads(8, i =>
            {
                if (i == 0)
                {
                    Thread.Sleep(50);
                    auth.Dispose();
                    return null;
                }

                try
                {
                    while (true)
                    {
                        auth.GetToken();
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposedSeen);
                    return null;
                }
            });

            Assert.That(disposedSeen, Is.EqualTo(7));
        }

        [Test, Timeout(60000)]
        public void UndisposedInstancesAreReleasedByTheFinalizer()
        {
            string scenario = FakeMc.Scenario("finalizer");

            WeakReference[] instances = CreateAndAbandon(scenario, 2000);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            int alive = 0;
            foreach (WeakReference instance in instances)
            {
                alive += instance.IsAlive ? 1 : 0;
            }

            // Mono scans stacks conservatively and may keep a stray instance alive; nearly all must be gone.
            Assert.That(alive, Is.LessThan(20));
            using (var survivor = FakeMc.AuthOn(scenario))
            {
                Assert.That(survivor.GetToken(), Is.Not.Empty, "the library still works after the finalizers ran");
            }
        }

        [Test]
        public void ToStringShowsNeitherTheSecretNorTheToken()
        {
            string url = FakeMc.Url(FakeMc.Scenario("tostring"));
            const string secret = "s3cr3t-value-0815";
            using (var auth = new MarketingCloudAuth(url, "visible-client-id", secret))
            {
                string token = auth.GetToken();
                string text = auth.ToString();

                Assert.That(text, Is.StringContaining(url).And.StringContaining("visible-client-id"));
                Assert.That(text, Is.Not.StringContaining(secret));
                Assert.That(text, Is.Not.StringContaining(token));
            }
        }

        // A separate, non-inlined frame so no local keeps the instances reachable during the collection.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] CreateAndAbandon(string scenario, int count)
        {
            var instances = new WeakReference[count];
            for (int i = 0; i < count; i++)
            {
                var auth = FakeMc.AuthOn(scenario);
                auth.GetToken();
                instances[i] = new WeakReference(auth);
            }

            return instances;
        }
    }
}

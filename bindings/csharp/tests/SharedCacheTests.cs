using System;
using System.IO;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// The shared cache as the binding exposes it: <see cref="MarketingCloudAuthOptions.SharedCache"/> and
    /// <c>MCAUTH_SHARED_CACHE</c> reach the native library, a refused URL is an ArgumentException without its password,
    /// and <see cref="MarketingCloudAuth.SharedCacheError"/>. How processes share a token is proved by the Rust tests.
    /// </summary>
    [TestFixture]
    public class SharedCacheTests
    {
        private const string Tenant = "mc563885gzs27c5t9-63k636ttgm";
        private const string Password = "hunter2pass";
        private const string EnvironmentVariable = "MCAUTH_SHARED_CACHE";

        private string _folder;

        [SetUp]
        public void CreateFolder()
        {
            _folder = Path.Combine(Path.GetTempPath(), "mcauth-cs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
        }

        [TearDown]
        public void RemoveFolder()
        {
            Directory.Delete(_folder, true);
        }

        [Test]
        public void SharedCacheReachesTheLibrary()
        {
            string store = Path.Combine(_folder, "store");
            var options = new MarketingCloudAuthOptions { SharedCache = "file://" + store };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(FakeMc.Scenario("shared-option")), "id", "secret", options))
            {
                Assert.That(auth.GetToken(), Is.Not.Empty);
            }

            Assert.That(Directory.GetFiles(store, "*.entry"), Has.Length.EqualTo(1));
        }

        [Test]
        public void TheEnvironmentVariableReachesTheLibraryAndAnEmptyOptionOptsOut()
        {
            // The library reads the process environment when an instance is created; Mono's
            // SetEnvironmentVariable writes through to it.
            string store = Path.Combine(_folder, "store");
            string url = FakeMc.Url(FakeMc.Scenario("shared-environment"));
            Environment.SetEnvironmentVariable(EnvironmentVariable, "file://" + store);
            try
            {
                using (var auth = new MarketingCloudAuth(url, "id", "secret"))
                {
                    Assert.That(auth.GetToken(), Is.Not.Empty);
                }

                // Another client id, so that its token cannot come from memory: it would be a second entry.
                var optedOut = new MarketingCloudAuthOptions { SharedCache = "" };
                using (var auth = new MarketingCloudAuth(url, "opted-out-id", "secret", optedOut))
                {
                    Assert.That(auth.GetToken(), Is.Not.Empty);
                }
            }
            finally
            {
                Environment.SetEnvironmentVariable(EnvironmentVariable, null);
            }

            Assert.That(Directory.GetFiles(store, "*.entry"), Has.Length.EqualTo(1));
        }

        [Test]
        public void ARefusedUrlIsAnArgumentExceptionWithoutItsPassword()
        {
            var options = new MarketingCloudAuthOptions { SharedCache = "redis://u:" + Password + "@127.0.0.1:notaport" };

            var error = Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(Tenant, "id", "secret", options));

            Assert.That(error.ParamName, Is.EqualTo("options"));
            Assert.That(error.Message, Is.Not.Empty);
            Assert.That(error.ToString(), Is.Not.StringContaining(Password));
        }

        [Test]
        public void SharedCacheErrorIsNullAfterSuccessAndSaysWhatFailed()
        {
            string scenario = FakeMc.Scenario("shared-error");
            var working = new MarketingCloudAuthOptions { SharedCache = "file://" + Path.Combine(_folder, "store") };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id-good", "secret", working))
            {
                auth.GetToken();

                Assert.That(auth.SharedCacheError, Is.Null);
            }

            // A folder below a regular file can never be created; the call itself still succeeds.
            string regularFile = Path.Combine(_folder, "regular-file");
            File.WriteAllText(regularFile, string.Empty);
            var failing = new MarketingCloudAuthOptions { SharedCache = "file://" + Path.Combine(regularFile, "store") };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id-bad", "secret", failing))
            {
                Assert.That(auth.GetToken(), Is.Not.Empty);

                Assert.That(auth.SharedCacheError, Is.Not.Null.And.Not.Empty);
            }
        }

        [Test]
        public void ToStringNeverShowsTheStore()
        {
            // Setting a store opens nothing, so an unreachable one is fine here.
            var options = new MarketingCloudAuthOptions { SharedCache = "redis://u:" + Password + "@cache.invalid:6379" };
            using (var auth = new MarketingCloudAuth(Tenant, "id", "secret", options))
            {
                Assert.That(auth.ToString(), Is.Not.StringContaining(Password).And.Not.StringContaining("cache.invalid"));
            }
        }
    }
}

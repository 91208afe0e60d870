using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>What only McAuthHandler does; what every client does on a call is proved for it in AuthenticatedCallTests.</summary>
    [TestFixture]
    public class McAuthHandlerTests
    {
        [Test]
        public void ABodyThatCannotBeSentTwiceIsNotRetriedButItsTokenIsDropped()
        {
            using (var auth = FakeMc.Auth("rest-stream", out string scenario))
            using (var client = new HttpClient(new McAuthHandler(auth)))
            {
                string url = auth.RestBaseUrl + "data/v1/echo";
                string stale = auth.GetToken();
                FakeMcApi.Revoke(scenario);

                var streamed = new StreamContent(new OneWayStream(Encoding.UTF8.GetBytes("{\"streamed\":true}")));
                using (HttpResponseMessage response = client.PostAsync(url, streamed).Result)
                {
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                }

                Assert.That(FakeMcApi.Stat(scenario, "rest_calls"), Is.EqualTo(1));
                Assert.That(auth.GetToken(), Is.Not.EqualTo(stale), "the rejected token was invalidated");
            }
        }

        [Test]
        public void ConstructorsRefuseNulls()
        {
            using (var auth = FakeMc.Auth("rest-null", out _))
            {
                Assert.Throws<ArgumentNullException>(() => new McAuthHandler(null));
                Assert.Throws<ArgumentNullException>(() => new McAuthHandler(auth, null));
            }
        }

        // A stream that can be read once, front to back, and has no length: a body nobody can buffer up front.
        private sealed class OneWayStream : Stream
        {
            private readonly MemoryStream _inner;

            internal OneWayStream(byte[] bytes)
            {
                _inner = new MemoryStream(bytes);
            }

            public override bool CanRead { get { return true; } }

            public override bool CanSeek { get { return false; } }

            public override bool CanWrite { get { return false; } }

            public override long Length { get { throw new NotSupportedException(); } }

            public override long Position
            {
                get { throw new NotSupportedException(); }
                set { throw new NotSupportedException(); }
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                return _inner.Read(buffer, offset, count);
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin)
            {
                throw new NotSupportedException();
            }

            public override void SetLength(long value)
            {
                throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                throw new NotSupportedException();
            }
        }
    }
}

using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Optional settings for a <see cref="MarketingCloudAuth"/>. Leave a property null to keep the
    /// native library's default.
    /// </summary>
    /// <remarks>
    /// The options are read once, by the <see cref="MarketingCloudAuth"/> constructor. It throws
    /// <see cref="ArgumentOutOfRangeException"/> for a value the native type cannot carry (a negative one, or one
    /// past <see cref="uint.MaxValue"/> units), and <see cref="ArgumentException"/> with the library's message for
    /// a value the library refuses.
    /// </remarks>
    public sealed class MarketingCloudAuthOptions
    {
        /// <summary>
        /// The time budget of one token request, retries included (native default: 30 seconds).
        /// Rounded up to whole milliseconds; the native library refuses zero.
        /// </summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>
        /// How long before its expiry a cached token is replaced (native default: 5 minutes).
        /// Rounded up to whole seconds.
        /// </summary>
        public TimeSpan? RefreshMargin { get; set; }

        /// <summary>
        /// How many times one token request may be sent, retries included (native default: 4).
        /// The native library takes 1 to 10.
        /// </summary>
        public int? MaxAttempts { get; set; }

        /// <summary>
        /// A PEM file whose certificate authorities are trusted in addition to the system's, for a
        /// TLS-inspecting proxy or a private authentication host.
        /// </summary>
        public string CaFile { get; set; }

        /// <summary>
        /// An HTTP proxy for the token requests, e.g. <c>http://user:password@proxy.example:3128</c>.
        /// </summary>
        public string Proxy { get; set; }

        /// <summary>
        /// A store through which this instance shares its tokens, and the token request, with other processes:
        /// <c>file:///absolute/folder</c> (not on Windows), or <c>redis://[user:password@]host[:port][/db]</c> (<c>rediss://</c> for TLS).
        /// Null leaves the environment variable <c>MCAUTH_SHARED_CACHE</c>, when set, in charge; an empty string
        /// shares nothing, whatever it says.
        /// </summary>
        /// <remarks>
        /// A store failure never fails a call; <see cref="MarketingCloudAuth.SharedCacheError"/> says what happened.
        /// </remarks>
        public string SharedCache { get; set; }
    }
}

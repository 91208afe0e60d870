using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Optional settings for a <see cref="MarketingCloudAuth"/>. Leave a property null to keep the
    /// native library's default.
    /// </summary>
    /// <remarks>The options are read once, by the <see cref="MarketingCloudAuth"/> constructor.</remarks>
    public sealed class MarketingCloudAuthOptions
    {
        /// <summary>
        /// The time budget of one token request, retries included (native default: 30 seconds).
        /// Must be positive and at most <see cref="uint.MaxValue"/> milliseconds; rounded up to whole milliseconds.
        /// </summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>
        /// How long before its expiry a cached token is replaced (native default: 5 minutes).
        /// Must be zero or positive and at most <see cref="uint.MaxValue"/> seconds; rounded up to whole seconds.
        /// </summary>
        public TimeSpan? RefreshMargin { get; set; }

        /// <summary>
        /// A PEM file whose certificate authorities are trusted in addition to the system's, for a
        /// TLS-inspecting proxy or a private authentication host.
        /// </summary>
        public string CaFile { get; set; }

        /// <summary>
        /// An HTTP proxy for the token requests, e.g. <c>http://user:password@proxy.example:3128</c>.
        /// </summary>
        public string Proxy { get; set; }
    }
}

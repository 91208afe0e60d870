using System;
using System.Globalization;

namespace MarketingCloud.Auth
{
    public sealed partial class MarketingCloudAuth
    {
        /// <summary>
        /// Creates an instance for an <em>enhanced</em> installed package (OAuth 2.0 client credentials,
        /// <c>/v2/token</c>). Everything else is as for the constructor: the same options, cache, errors and
        /// members; <see cref="RestBaseUrl"/> and <see cref="SoapEndpoint"/> are the instance URLs of the latest
        /// token answer. Nothing is sent yet.
        /// </summary>
        /// <param name="subdomain">The tenant subdomain or the package's Authentication Base URI.</param>
        /// <param name="clientId">The installed package's client id.</param>
        /// <param name="clientSecret">The installed package's client secret. It is not kept by this object.</param>
        /// <param name="accountId">The MID of the business unit the token is for; null: the package's own.</param>
        /// <param name="scope">Space-separated scopes; null: the package's scopes.</param>
        /// <param name="options">Optional settings; null keeps every default.</param>
        /// <exception cref="ArgumentNullException"><paramref name="subdomain"/>, <paramref name="clientId"/> or <paramref name="clientSecret"/> is null.</exception>
        /// <exception cref="ArgumentException">The native library refused an argument (a negative MID, an empty scope, ...).</exception>
        public static MarketingCloudAuth Enhanced(
            string subdomain,
            string clientId,
            string clientSecret,
            long? accountId = null,
            string scope = null,
            MarketingCloudAuthOptions options = null)
        {
            byte[] account = accountId.HasValue
                ? Utf8.ToNative(accountId.Value.ToString(CultureInfo.InvariantCulture), nameof(accountId))
                : null;
            byte[] scopes = Utf8.ToNative(scope, nameof(scope));
            return new MarketingCloudAuth(
                subdomain,
                clientId,
                clientSecret,
                options,
                (byte[] s, byte[] id, byte[] secret, out McAuthHandle handle) =>
                    NativeMethods.mc_auth_new_enhanced(s, id, secret, account, scopes, out handle));
        }
    }
}

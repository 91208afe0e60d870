namespace MarketingCloud.Auth
{
    /// <summary>
    /// The native library's status codes (<c>mc_status</c> in <c>mcauth.h</c>).
    /// The numeric values are fixed by the C contract and never reused.
    /// </summary>
    public enum McStatus
    {
        /// <summary>Success (<c>MC_OK</c>).</summary>
        Ok = 0,

        /// <summary>A null, empty or malformed argument, subdomain, URL or option (<c>MC_ERR_INVALID_ARGUMENT</c>).</summary>
        InvalidArgument = 1,

        /// <summary>The authentication server rejected the credentials with 401 or 403 (<c>MC_ERR_UNAUTHORIZED</c>).</summary>
        Unauthorized = 2,

        /// <summary>Any other non-2xx answer after retries, a refused redirect too (<c>MC_ERR_HTTP</c>).</summary>
        Http = 3,

        /// <summary>DNS, connect, TLS (an untrusted certificate too), reset or proxy failure (<c>MC_ERR_NETWORK</c>).</summary>
        Network = 4,

        /// <summary>The call's time budget ran out (<c>MC_ERR_TIMEOUT</c>).</summary>
        Timeout = 5,

        /// <summary>A 2xx answer that was not the expected JSON, or exceeded the body limit (<c>MC_ERR_BAD_RESPONSE</c>).</summary>
        BadResponse = 6,

        /// <summary>A bug in the native library, caught before it could cross the C boundary (<c>MC_ERR_INTERNAL</c>).</summary>
        Internal = 7,
    }
}

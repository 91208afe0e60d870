using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// A call failed for a reason other than a refused argument: the server refused the credentials,
    /// answered with an error, could not be reached in time, or sent something unexpected; or the
    /// instance's own state cannot answer. <see cref="Status"/> says which.
    /// </summary>
    /// <remarks>
    /// An argument the native library refuses is an <see cref="ArgumentException"/> instead. A
    /// <see cref="Status"/> of <see cref="McStatus.InvalidArgument"/> here comes from a call without
    /// arguments: <see cref="MarketingCloudAuth.RestBaseUrl"/> or <see cref="MarketingCloudAuth.SoapEndpoint"/>
    /// of an instance created from a URL that names no tenant, or a token request under a malformed
    /// proxy environment variable.
    /// The message is the native library's, which never contains the client secret or a token.
    /// </remarks>
    public class McAuthException : Exception
    {
        /// <summary>Creates the exception for a failed native call.</summary>
        /// <param name="status">The status the native library returned.</param>
        /// <param name="message">The native library's description of the failure.</param>
        public McAuthException(McStatus status, string message)
            : base(message)
        {
            Status = status;
        }

        /// <summary>The native library's status code for this failure.</summary>
        public McStatus Status { get; }
    }
}

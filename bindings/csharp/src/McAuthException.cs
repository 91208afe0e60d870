using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// A token could not be obtained: the server refused the credentials, answered with an error,
    /// could not be reached in time, or sent something unexpected. <see cref="Status"/> says which.
    /// </summary>
    /// <remarks>
    /// Invalid arguments are reported as <see cref="ArgumentException"/> instead, so this exception
    /// always means a problem at run time rather than a programming error.
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

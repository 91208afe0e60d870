using System;
using System.Threading;
using System.Threading.Tasks;
using MarketingCloud.Auth;

public static class TokenInfo
{
    public static async Task<string> DescribeAsync(MarketingCloudAuth auth, CancellationToken cancellationToken)
    {
        // A cached token completes at once; a fetch runs off this thread, and cancelling stops only the wait.
        string token = await auth.GetTokenAsync(cancellationToken).ConfigureAwait(false);

        TimeSpan left;
        auth.GetTokenWithTtl(out left);                   // until expiry, not until the next refresh
        return "a " + token.Length + "-character token, valid for " + (int)left.TotalMinutes + " more minutes";
    }
}
